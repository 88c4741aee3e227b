//! Measuring, cutting and wrapping text by display width (CJK characters take two columns).

use ratatui::text::Span;

/// Display width of a string, as the terminal draws it.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Display width of one character.
pub fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Cuts `s` to at most `max` columns, ending with `…` when cut.
pub fn ellipsize(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Pads `s` with spaces to `w` columns (never cuts).
pub fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// Wraps `s` into lines of at most `w` columns, breaking at spaces where it can and
/// anywhere (between CJK characters, inside long words) where it must.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut lw = 0;
        // Split into words, keeping each CJK character as its own word.
        for word in words(para) {
            let ww = width(&word);
            if lw + ww <= w {
                line.push_str(&word);
                lw += ww;
                continue;
            }
            // Does not fit: start a new line (dropping leading spaces), or split a long word.
            // Closing punctuation never starts a line: it takes the character before it along.
            let mut carry = String::new();
            if word.chars().next().is_some_and(closing) {
                if let Some(c) = line.pop() {
                    if char_width(c) >= 2 {
                        carry.push(c);
                    } else {
                        line.push(c);
                    }
                }
            }
            if !line.trim_end().is_empty() {
                lines.push(line.trim_end().to_string());
            }
            line = carry;
            lw = width(&line);
            let word = word.trim_start();
            for c in word.chars() {
                let cw = char_width(c);
                if lw + cw > w {
                    lines.push(std::mem::take(&mut line));
                    lw = 0;
                }
                line.push(c);
                lw += cw;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Punctuation that must not begin a line (CJK line-breaking rules).
fn closing(c: char) -> bool {
    matches!(c, '，' | '。' | '、' | '；' | '：' | '！' | '？' | '）' | '」' | '』' | '》' | '】')
}

/// Words with their leading space attached; a wide (CJK) character is a word on its own.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c == ' ' {
            if !cur.is_empty() && !cur.chars().all(|x| x == ' ') {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        } else if char_width(c) >= 2 {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_words_and_cjk() {
        assert_eq!(wrap("the quick brown fox", 10), vec!["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("按轮询轮到 worker2", 6), vec!["按轮询", "轮到", "worker", "2"]);
        assert_eq!(wrap("客户端或代理）", 6), vec!["客户端", "或代", "理）"]);
        assert_eq!(ellipsize("task_queue", 6), "task_…");
        assert_eq!(ellipsize("任务队列", 5), "任务…");
        assert_eq!(width("任务"), 4);
    }
}
