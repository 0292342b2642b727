"""The command line's texts in English (the fallback for a key another catalogue lacks)."""

TEXTS: dict[str, str] = {
    # errors and interruptions
    "error": "error:",
    "interrupted": "interrupted",
    "error.not_found": "no such file; check the path and the current folder",
    "error.encrypted": (
        "the workbook is encrypted with a password; open it in Excel or LibreOffice and save a copy "
        "without a password (File > Info > Protect Workbook / File > Properties > Security)"
    ),
    "error.password_missing": (
        "the workbook is encrypted with a password; give the password with SHEETKIT_PASSWORD or --password-file FILE"
    ),
    "error.password_wrong": (
        "the password given does not open this encrypted workbook; check it and give it again with "
        "SHEETKIT_PASSWORD or --password-file FILE"
    ),
    "error.changed": (
        "the file changed while it was being read (was it being saved or copied?); try again once it has been saved"
    ),
    "error.no_sheet": "no sheet {name}; the workbook has: {available}",
    # check
    "check.col.sheet": "Sheet",
    "check.col.cell": "Cell",
    "check.col.column": "Column",
    "check.col.value": "Value",
    "check.col.problem": "Problem",
    "check.rows": "{count} {sheet}",
    "check.ok": "OK",
    "check.nothing": "nothing to fix.",
    "check.more": "... and {count} more (use --json or --limit to see all).",
    "check.summary": "{errors} errors, {warnings} warnings",
    "check.invalid": "needs fixing",
    "check.valid": "valid",
    "check.verdict_sep": ": ",
    "check.masked": "(health data hidden; --show-health shows it)",
    "check.hidden_value": "[hidden]",
    "check.marked": "Marked-up copy written to",
    "check.marked_cells": "{count} cells are highlighted, each with a comment saying what to fix.",
    "check.mark_same": "--mark must name a new file, not the workbook being checked",
    "check.mark_suffix": "--mark writes an .xlsx copy: give a name ending in .xlsx",
    "check.mark_format": "--mark needs an .xlsx workbook (this one is {kind})",
    "check.mark_title": "sheetkit check: to fix",
    # progress
    "progress.reading": "Reading the workbook",
    "progress.checking": "Checking the data",
    "progress.marking": "Marking the problem cells",
    "progress.writing": "Writing the workbook",
    "progress.demo": "Making the demo salon",
    "progress.report": "Reading, checking and reporting",
    "progress.branches": "Reading branches",
    "progress.mail": "Sending the report",
    "progress.google": "Writing the workbook to Google Sheets",
    # new, demo, backups
    "new.created": "Created",
    "new.locale": "({locale}).",
    "backup.kept": "The workbook it replaced is kept as",
    "demo.written": "Demo salon written to",
    # report
    "report.written": "Weekly report written to",
    "report.covers": "Covers {start} to {end}, compared with {week_start} to {week_end} "
    "and {year_start} to {year_end}.",
    "report.html": "HTML version for email:",
    "report.actions": "Action lists:",
    "report.issues": "{count} data-quality issues are listed in the report (sheetkit check shows them).",
    "report.mailed": "E-mailed to {count} recipients via {server} ({encryption})",
    "report.missing": "Not in the figures:",
    "report.missing_see": "(see the table above).",
    # branches of a chain
    "branches.title": "Branches",
    "branches.col.branch": "Branch",
    "branches.col.status": "Status",
    "branches.col.clients": "Clients",
    "branches.col.visits": "Visits",
    "branches.col.issues": "Issues",
    "branches.col.problem": "Problem",
    "branches.written": "Consolidated tables written to",
    "gsheets.ready": "Workbook ready in Google Sheets:",
    "gsheets.share": "Share it with the branch staff (Share > add their addresses as editors).",
}
