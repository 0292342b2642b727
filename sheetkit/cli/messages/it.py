"""The command line's texts in Italian."""

TEXTS: dict[str, str] = {
    # errors and interruptions
    "error": "errore:",
    "interrupted": "interrotto",
    "error.not_found": "file inesistente; controlla il percorso e la cartella in cui ti trovi",
    "error.encrypted": (
        "la cartella di lavoro è protetta da una password; aprila in Excel o LibreOffice e salvane una "
        "copia senza password (File > Informazioni > Proteggi cartella di lavoro / File > Proprietà > "
        "Sicurezza)"
    ),
    "error.password_missing": (
        "la cartella di lavoro è protetta da una password; indica la password con SHEETKIT_PASSWORD o "
        "--password-file FILE"
    ),
    "error.password_wrong": (
        "la password indicata non apre questa cartella di lavoro protetta; controllala e indicala di "
        "nuovo con SHEETKIT_PASSWORD o --password-file FILE"
    ),
    "error.changed": (
        "il file è cambiato mentre veniva letto (lo si stava salvando o copiando?); riprova quando è stato salvato"
    ),
    "error.no_sheet": "manca il foglio {name}; la cartella di lavoro contiene: {available}",
    # check
    "check.col.sheet": "Foglio",
    "check.col.cell": "Cella",
    "check.col.column": "Colonna",
    "check.col.value": "Valore",
    "check.col.problem": "Problema",
    "check.rows": "{count} {sheet}",
    "check.ok": "OK",
    "check.nothing": "niente da correggere.",
    "check.more": "... e altri {count} (usa --json o --limit per vederli tutti).",
    "check.summary": "{errors} errori, {warnings} avvisi",
    "check.invalid": "da correggere",
    "check.valid": "valido",
    "check.verdict_sep": ": ",
    "check.masked": "(dati sanitari nascosti; --show-health li mostra)",
    "check.hidden_value": "[nascosto]",
    "check.marked": "Copia con le segnalazioni scritta in",
    "check.marked_cells": "{count} celle sono evidenziate, ciascuna con un commento che dice cosa correggere.",
    "check.mark_same": "--mark deve indicare un file nuovo, non la cartella di lavoro che si sta controllando",
    "check.mark_suffix": "--mark scrive una copia .xlsx: indica un nome che finisce in .xlsx",
    "check.mark_format": "--mark richiede una cartella di lavoro .xlsx (questa è {kind})",
    "check.mark_title": "sheetkit check: da correggere",
    # progress
    "progress.reading": "Lettura della cartella di lavoro",
    "progress.checking": "Controllo dei dati",
    "progress.marking": "Segnalazione delle celle con problemi",
    "progress.writing": "Scrittura della cartella di lavoro",
    "progress.demo": "Creazione del salone dimostrativo",
    "progress.report": "Lettura, controllo e resoconto",
    "progress.branches": "Lettura delle sedi",
    "progress.mail": "Invio del resoconto",
    "progress.google": "Scrittura della cartella di lavoro in Google Fogli",
    # new, demo, backups
    "new.created": "Creato",
    "new.locale": "({locale}).",
    "backup.kept": "La cartella di lavoro sostituita è conservata come",
    "demo.written": "Salone dimostrativo scritto in",
    # report
    "report.written": "Resoconto settimanale scritto in",
    "report.covers": "Periodo dal {start} al {end}, confrontato con dal {week_start} al {week_end} "
    "e dal {year_start} al {year_end}.",
    "report.html": "Versione HTML per l'e-mail:",
    "report.actions": "Elenchi di azioni:",
    "report.issues": "{count} problemi di qualità dei dati sono elencati nel resoconto (sheetkit check li mostra).",
    "report.mailed": "Inviato per e-mail a {count} destinatari tramite {server} ({encryption})",
    "report.missing": "Escluse dai dati:",
    "report.missing_see": "(vedi la tabella sopra).",
    # branches of a chain
    "branches.title": "Sedi",
    "branches.col.branch": "Sede",
    "branches.col.status": "Stato",
    "branches.col.clients": "Clienti",
    "branches.col.visits": "Trattamenti",
    "branches.col.issues": "Problemi",
    "branches.col.problem": "Errore",
    "branches.written": "Tabelle consolidate scritte in",
    "gsheets.ready": "Cartella di lavoro pronta in Google Fogli:",
    "gsheets.share": "Condividila con il personale della sede (Condividi > aggiungi i loro indirizzi come editor).",
}
