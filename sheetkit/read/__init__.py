"""Read workbooks back: file sniffing, raw cells, typed parsing, header matching."""
