//! Make sense of the bytes of a CSV file before parsing: encoding (UTF-8
//! with or without BOM, UTF-16 with BOM, otherwise Windows-1252), the
//! delimiter (`;`, `,` or tab, from the header line), and quotes that are
//! never closed, with the line they were opened on.

use crate::error::{ImportIssue, ImportProblem};

/// Text of a file, ready for the CSV parser.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    pub delimiter: u8,
}

fn issue(line: u64, problem: ImportProblem) -> ImportIssue {
    ImportIssue { line, problem }
}

fn line_of(bytes: &[u8], pos: usize) -> u64 {
    1 + bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// Decode the file to text.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, ImportIssue> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(issue(0, ImportProblem::ExcelWorkbook));
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(rest) {
            Ok(t) => (t.to_owned(), "UTF-8 with BOM"),
            Err(e) => {
                return Err(issue(
                    line_of(rest, e.valid_up_to()),
                    ImportProblem::BomNotUtf8,
                ))
            }
        }
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (t, had_errors) = enc.decode_without_bom_handling(&bytes[2..]);
        if had_errors {
            return Err(issue(0, ImportProblem::NotUtf16));
        }
        (t.into_owned(), "UTF-16")
    } else if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(issue(line_of(bytes, pos), ImportProblem::NulBytes));
    } else if let Ok(t) = std::str::from_utf8(bytes) {
        (t.to_owned(), "UTF-8")
    } else {
        // Bytes Windows-1252 leaves undefined mean the guess is wrong.
        if let Some(pos) = bytes
            .iter()
            .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
        {
            return Err(issue(
                line_of(bytes, pos),
                ImportProblem::UndefinedByte { byte: bytes[pos] },
            ));
        }
        let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        (t.into_owned(), "Windows-1252")
    };
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text);
    let delimiter = detect_delimiter(&text);
    check_quotes(&text, delimiter)?;
    Ok(Decoded {
        text,
        encoding,
        delimiter,
    })
}

/// The delimiter that occurs most often in the header line (outside quotes).
fn detect_delimiter(text: &str) -> u8 {
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

/// Find a quoted field that never ends, or text glued to a closing quote.
fn check_quotes(text: &str, delimiter: u8) -> Result<(), ImportIssue> {
    let delim = char::from(delimiter);
    let mut line = 1_u64;
    let mut opened_on = 0_u64;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => {
                    in_quotes = false;
                    match chars.peek() {
                        None | Some('\r' | '\n') => {}
                        Some(&d) if d == delim => {}
                        Some(_) => return Err(issue(line, ImportProblem::TextAfterQuote)),
                    }
                }
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                opened_on = line;
                at_field_start = false;
            }
            '\n' => {
                line += 1;
                at_field_start = true;
            }
            c if c == delim => at_field_start = true,
            '\r' => {}
            _ => at_field_start = false,
        }
    }
    if in_quotes {
        return Err(issue(opened_on, ImportProblem::UnclosedQuote));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        let d = decode("Name;Vorname\r\nMüller;Jörg\r\n".as_bytes()).unwrap();
        assert_eq!((d.encoding, d.delimiter), ("UTF-8", b';'));
        let d = decode(b"\xEF\xBB\xBFName,Vorname\nM\xC3\xBCller,J\xC3\xB6rg\n").unwrap();
        assert_eq!((d.encoding, d.delimiter), ("UTF-8 with BOM", b','));
        assert!(d.text.starts_with("Name"));
        let d = decode(b"Name;Vorname\r\nM\xFCller;Stra\xDFe\r\n").unwrap();
        assert_eq!(d.encoding, "Windows-1252");
        assert!(d.text.contains("Müller;Straße"));
        let e = decode(b"Name;Vorname\r\nA;B\r\nM\x81ller;x\r\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = decode(b"N\0a\0m\0e\0").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn delimiter_ignores_quoted_text() {
        assert_eq!(detect_delimiter("\"a,b,c\";d\n"), b';');
        assert_eq!(detect_delimiter("a,b;c,d\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
    }

    #[test]
    fn unclosed_quote_reports_its_line() {
        let text = "a;b\n1;2\n3;\"x\ny\"\n4;\"open\n5;6\n";
        assert_eq!(check_quotes(text, b';').unwrap_err().line, 5);
        assert!(check_quotes("a;b\n\"x;y\";\"say \"\"hi\"\"\"\n", b';').is_ok());
        assert_eq!(
            check_quotes("a;b\n1;2\n\"x\"y;2\n", b';').unwrap_err().line,
            3
        );
    }
}
