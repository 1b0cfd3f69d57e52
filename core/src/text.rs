//! Text folding for searches that ignore case and accents identically on SQLite and PostgreSQL
//! (D19): the folded form is stored in an indexed `*_search` column and filters compare against
//! the folded input.

/// Lower-cases and strips the accents of Latin letters ("Élodie" → "elodie").
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
            'ý' | 'ÿ' => 'y',
            'ž' | 'ź' | 'ż' => 'z',
            'š' | 'ś' => 's',
            'œ' => 'o',
            'æ' => 'a',
            other => other,
        })
        .collect()
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_french_names() {
        assert_eq!(super::fold("Élodie NGONO-Ébène"), "elodie ngono-ebene");
        assert_eq!(super::fold("Garoua-Boulaï"), "garoua-boulai");
    }
}
