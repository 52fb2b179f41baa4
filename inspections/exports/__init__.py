"""Taking lists out: each list's columns, and the CSV, XLSX and Word files made from them."""
