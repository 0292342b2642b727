"""The command line's texts in Simplified Chinese."""

TEXTS: dict[str, str] = {
    # errors and interruptions
    "error": "错误：",
    "interrupted": "已中断",
    "error.not_found": "文件不存在；请检查路径和当前文件夹",
    "error.encrypted": (
        "该工作簿设有打开密码；请在 Excel 或 LibreOffice 中打开并另存一份不带密码的副本"
        "（文件 > 信息 > 保护工作簿 / 文件 > 属性 > 安全）"
    ),
    "error.password_missing": "该工作簿设有打开密码；请通过 SHEETKIT_PASSWORD 或 --password-file FILE 提供密码",
    "error.password_wrong": (
        "所给密码无法打开这个加密工作簿；请核对后通过 SHEETKIT_PASSWORD 或 --password-file FILE 重新提供"
    ),
    "error.changed": "读取过程中文件发生了变化（是否正在保存或复制？）；请在保存完成后重试",
    "error.no_sheet": "缺少工作表 {name}；工作簿中有：{available}",
    # check
    "check.col.sheet": "工作表",
    "check.col.cell": "单元格",
    "check.col.column": "列",
    "check.col.value": "值",
    "check.col.problem": "问题",
    "check.rows": "{sheet} {count} 行",
    "check.ok": "通过",
    "check.nothing": "无需修改。",
    "check.more": "……还有 {count} 条（用 --json 或 --limit 查看全部）。",
    "check.summary": "{errors} 个错误，{warnings} 个警告",
    "check.invalid": "需要修改",
    "check.valid": "有效",
    "check.verdict_sep": "：",
    "check.masked": "（健康数据已隐藏；用 --show-health 显示）",
    "check.hidden_value": "[已隐藏]",
    "check.marked": "已标注的副本写入",
    "check.marked_cells": "{count} 个单元格已高亮，每个都附有说明如何修改的批注。",
    "check.mark_same": "--mark 必须指定一个新文件，而不是正在检查的工作簿",
    "check.mark_suffix": "--mark 写出 .xlsx 副本：请给出以 .xlsx 结尾的文件名",
    "check.mark_format": "--mark 需要 .xlsx 工作簿（此文件是 {kind}）",
    "check.mark_title": "sheetkit 检查：需要修改",
    # progress
    "progress.reading": "正在读取工作簿",
    "progress.checking": "正在检查数据",
    "progress.marking": "正在标注有问题的单元格",
    "progress.writing": "正在写入工作簿",
    "progress.demo": "正在生成演示美容院",
    "progress.report": "正在读取、检查并生成报告",
    "progress.branches": "正在读取各门店",
    "progress.mail": "正在发送报告",
    "progress.google": "正在将工作簿写入 Google 表格",
    # new, demo, backups
    "new.created": "已创建",
    "new.locale": "（{locale}）。",
    "backup.kept": "被替换的工作簿已保存为",
    "demo.written": "演示美容院已写入",
    # report
    "report.written": "周报已写入",
    "report.covers": "统计期间 {start} 至 {end}，对比 {week_start} 至 {week_end} 以及 {year_start} 至 {year_end}。",
    "report.html": "用于电子邮件的 HTML 版本：",
    "report.actions": "待办名单：",
    "report.issues": "报告中列出了 {count} 个数据质量问题（sheetkit check 可显示）。",
    "report.mailed": "已通过 {server}（{encryption}）发送给 {count} 位收件人",
    "report.missing": "未计入数据：",
    "report.missing_see": "（见上表）。",
    # branches of a chain
    "branches.title": "门店",
    "branches.col.branch": "门店",
    "branches.col.status": "状态",
    "branches.col.clients": "客户",
    "branches.col.visits": "护理记录",
    "branches.col.issues": "问题",
    "branches.col.problem": "错误",
    "branches.written": "合并后的数据表已写入",
    "gsheets.ready": "Google 表格中的工作簿已就绪：",
    "gsheets.share": "请与门店员工共享（共享 > 将他们的地址添加为编辑者）。",
}
