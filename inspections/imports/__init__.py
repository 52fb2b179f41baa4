"""Reading what people bring in: files checked and decoded (`files`), published
responses (`responses`), a report's findings (`findings`) and tracker spreadsheets
(`trackers`). Parsers return plain values for a preview; services save them."""
