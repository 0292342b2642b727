"""The command line's texts in Vietnamese."""

TEXTS: dict[str, str] = {
    # errors and interruptions
    "error": "lỗi:",
    "interrupted": "đã dừng",
    "error.not_found": "không có tệp này; hãy kiểm tra đường dẫn và thư mục hiện tại",
    "error.encrypted": (
        "bảng tính được bảo vệ bằng mật khẩu; hãy mở nó trong Excel hoặc LibreOffice và lưu một bản sao "
        "không có mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc / Tệp > Thuộc tính > Bảo mật)"
    ),
    "error.password_missing": (
        "bảng tính được bảo vệ bằng mật khẩu; hãy cung cấp mật khẩu qua SHEETKIT_PASSWORD hoặc --password-file FILE"
    ),
    "error.password_wrong": (
        "mật khẩu đã cho không mở được bảng tính được bảo vệ này; hãy kiểm tra và cung cấp lại qua "
        "SHEETKIT_PASSWORD hoặc --password-file FILE"
    ),
    "error.changed": (
        "tệp đã thay đổi trong khi đang được đọc (có phải nó đang được lưu hoặc sao chép?); hãy thử lại "
        "sau khi tệp đã được lưu"
    ),
    "error.no_sheet": "không có trang tính {name}; bảng tính có: {available}",
    # check
    "check.col.sheet": "Trang tính",
    "check.col.cell": "Ô",
    "check.col.column": "Cột",
    "check.col.value": "Giá trị",
    "check.col.problem": "Vấn đề",
    "check.rows": "{count} {sheet}",
    "check.ok": "OK",
    "check.nothing": "không có gì cần sửa.",
    "check.more": "... và {count} mục khác (dùng --json hoặc --limit để xem tất cả).",
    "check.summary": "{errors} lỗi, {warnings} cảnh báo",
    "check.invalid": "cần sửa",
    "check.valid": "hợp lệ",
    "check.verdict_sep": ": ",
    "check.masked": "(đã ẩn dữ liệu sức khỏe; --show-health để hiện)",
    "check.hidden_value": "[đã ẩn]",
    "check.marked": "Bản sao có đánh dấu đã được ghi vào",
    "check.marked_cells": "{count} ô được tô sáng, mỗi ô có một ghi chú nói cần sửa gì.",
    "check.mark_same": "--mark phải là một tệp mới, không phải sổ làm việc đang được kiểm tra",
    "check.mark_suffix": "--mark ghi một bản sao .xlsx: hãy đặt tên kết thúc bằng .xlsx",
    "check.mark_format": "--mark cần một sổ làm việc .xlsx (tệp này là {kind})",
    "check.mark_title": "sheetkit check: cần sửa",
    # progress
    "progress.reading": "Đang đọc sổ làm việc",
    "progress.checking": "Đang kiểm tra dữ liệu",
    "progress.marking": "Đang đánh dấu các ô có vấn đề",
    "progress.writing": "Đang ghi sổ làm việc",
    "progress.demo": "Đang tạo spa mẫu",
    "progress.report": "Đang đọc, kiểm tra và lập báo cáo",
    "progress.branches": "Đang đọc các chi nhánh",
    "progress.mail": "Đang gửi báo cáo",
    "progress.google": "Đang ghi sổ làm việc lên Google Trang tính",
    # new, demo, backups
    "new.created": "Đã tạo",
    "new.locale": "({locale}).",
    "backup.kept": "Sổ làm việc bị thay thế được giữ lại dưới tên",
    "demo.written": "Spa mẫu đã được ghi vào",
    # report
    "report.written": "Báo cáo tuần đã được ghi vào",
    "report.covers": "Từ {start} đến {end}, so với từ {week_start} đến {week_end} và từ {year_start} đến {year_end}.",
    "report.html": "Bản HTML để gửi email:",
    "report.actions": "Danh sách việc cần làm:",
    "report.issues": "{count} vấn đề về chất lượng dữ liệu được liệt kê trong báo cáo (sheetkit check hiển thị chúng).",
    "report.mailed": "Đã gửi email cho {count} người nhận qua {server} ({encryption})",
    "report.missing": "Không có trong số liệu:",
    "report.missing_see": "(xem bảng ở trên).",
    # branches of a chain
    "branches.title": "Chi nhánh",
    "branches.col.branch": "Chi nhánh",
    "branches.col.status": "Trạng thái",
    "branches.col.clients": "Khách hàng",
    "branches.col.visits": "Liệu trình",
    "branches.col.issues": "Vấn đề",
    "branches.col.problem": "Lỗi",
    "branches.written": "Các bảng tổng hợp đã được ghi vào",
    "gsheets.ready": "Sổ làm việc đã sẵn sàng trên Google Trang tính:",
    "gsheets.share": "Hãy chia sẻ với nhân viên chi nhánh (Chia sẻ > thêm địa chỉ của họ làm người chỉnh sửa).",
}
