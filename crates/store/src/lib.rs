//! keydesk-store: the SQLite inventory of keys, staff and notebooks, the key
//! lifecycle, a hash-chained audit trail, and CSV import/export for German
//! offices (Excel-ready).
