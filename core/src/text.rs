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

/// `column starts with prefix`, served by a plain b-tree index on both databases: a range
/// `prefix <= column < next(prefix)` (SQLite's `LIKE` cannot use an index by default and
/// PostgreSQL's needs `text_pattern_ops`), with the `LIKE` kept for exactness.
pub fn starts_with<C: sea_orm::ColumnTrait>(column: C, prefix: &str) -> sea_orm::Condition {
    let mut upper: Vec<char> = prefix.chars().collect();
    let pattern = format!("{}%", like_escape(prefix));
    let mut cond = sea_orm::Condition::all()
        .add(column.like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')));
    if let Some(last) = upper.pop()
        && let Some(next) = char::from_u32(last as u32 + 1)
    {
        upper.push(next);
        let upper: String = upper.into_iter().collect();
        cond = cond.add(column.gte(prefix)).add(column.lt(upper));
    }
    cond
}

/// `UPPER(col) LIKE pattern ESCAPE '\'`, for codes compared case-insensitively.
pub fn upper_like(
    col: impl sea_orm::sea_query::IntoColumnRef,
    pattern: String,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    Expr::expr(Func::upper(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

/// openIMIS `code`, `code_Istartswith`, `code_Icontains`, `code_Iexact` filters on a code column
/// (codes are compared case-insensitively, as upper case).
pub fn code_condition<C: sea_orm::ColumnTrait>(
    col: C,
    exact: &Option<String>,
    istarts: &Option<String>,
    icontains: &Option<String>,
    iexact: &Option<String>,
) -> sea_orm::Condition {
    let upper_like = |pattern: String| upper_like(col, pattern);
    let mut c = sea_orm::Condition::all();
    if let Some(v) = exact {
        c = c.add(col.eq(v.trim().to_string()));
    }
    if let Some(v) = istarts {
        c = c.add(upper_like(format!("{}%", like_escape(&v.to_uppercase()))));
    }
    if let Some(v) = icontains {
        c = c.add(upper_like(format!("%{}%", like_escape(&v.to_uppercase()))));
    }
    if let Some(v) = iexact {
        c = c.add(upper_like(like_escape(&v.to_uppercase())));
    }
    c
}

/// openIMIS `name`, `name_Istartswith`, `name_Icontains`, `name_Iexact` filters on a folded
/// `*_search` column, ignoring case and accents (D19); prefixes are index-served ranges.
pub fn name_condition<C: sea_orm::ColumnTrait>(
    col: C,
    exact: &Option<String>,
    istarts: &Option<String>,
    icontains: &Option<String>,
    iexact: &Option<String>,
) -> sea_orm::Condition {
    let mut c = sea_orm::Condition::all();
    if let Some(v) = exact.as_ref().or(iexact.as_ref()) {
        c = c.add(col.eq(fold(v.trim())));
    }
    if let Some(v) = istarts {
        c = c.add(starts_with(col, &fold(v)));
    }
    if let Some(v) = icontains {
        c = c.add(col.like(
            sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escape(&fold(v)))).escape('\\'),
        ));
    }
    c
}

#[cfg(test)]
mod prefix_tests {
    use sea_orm::sea_query::{Alias, Query, SqliteQueryBuilder};

    /// A one-column table, enough to build a condition on.
    mod named {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "t")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub name_search: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    #[test]
    fn prefix_is_a_range_plus_an_escaped_like() {
        let sql = Query::select()
            .column(Alias::new("x"))
            .from(Alias::new("t"))
            .cond_where(super::starts_with(named::Column::NameSearch, "ng_o"))
            .to_string(SqliteQueryBuilder);
        assert!(sql.contains(r"LIKE 'ng\_o%' ESCAPE '\'"), "{sql}");
        assert!(
            sql.contains(">= 'ng_o'") && sql.contains("< 'ng_p'"),
            "{sql}"
        );
    }
}

/// A comma-separated list of ids for an SQL `IN (...)` (`NULL` when empty, so the list matches
/// nothing). Ids are integers, so nothing needs quoting.
pub fn ids_sql(ids: impl IntoIterator<Item = i64>) -> String {
    let s = ids
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if s.is_empty() { "NULL".into() } else { s }
}
