//! Paging orders a keyset cannot follow (D3): a nullable column or a sort expression pages by
//! position, in one null order on every database, forward and backward, without gaps or repeats;
//! date-time columns page by keyset.

use imis_core::entity::user;
use imis_core::graphql::connection::{Page, PageArgs, fetch_page};
use imis_tests::{TestApp, on_each_app};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{EntityTrait, QueryOrder};

const SORTABLE: [(&str, user::Column); 3] = [
    ("officerCode", user::Column::OfficerCode),
    ("username", user::Column::Username),
    ("validityFrom", user::Column::ValidityFrom),
];

fn by_last_name() -> Vec<(&'static str, SimpleExpr)> {
    vec![("iUser__lastName", Expr::col(user::Column::LastName).into())]
}

async fn page(app: &TestApp, args: PageArgs) -> Page<user::Model> {
    fetch_page(
        &app.state.db.conn,
        user::Entity::find(),
        &args,
        &SORTABLE,
        &by_last_name(),
        user::Column::Id,
        &["username"],
        true,
        &app.state.config.graphql,
    )
    .await
    .expect("page")
}

fn ids(page: &Page<user::Model>) -> Vec<i64> {
    page.rows.iter().map(|(_, m)| m.id).collect()
}

/// Walks the whole list `size` rows at a time, forward then backward, and checks both walks
/// against one page holding every row.
async fn walk(app: &TestApp, order: &str) -> Vec<user::Model> {
    let order_by = Some(vec![order.to_string()]);
    let whole = page(
        app,
        PageArgs::new(Some(100), None, None, None, None, order_by.clone()),
    )
    .await;
    let total = whole.total.unwrap() as usize;
    assert_eq!(
        whole.rows.len(),
        total,
        "{order}: one page holds every user"
    );
    assert!(total >= 4, "the demo has several users");

    let mut forward = vec![];
    let mut after = None;
    loop {
        let p = page(
            app,
            PageArgs::new(Some(3), None, after.clone(), None, None, order_by.clone()),
        )
        .await;
        assert_eq!(p.has_previous, after.is_some(), "{order}: hasPreviousPage");
        forward.extend(ids(&p));
        after = p.rows.last().map(|(c, _)| c.clone());
        if !p.has_next {
            break;
        }
    }
    assert_eq!(forward, ids(&whole), "{order}: forward walk");

    let mut backward = vec![];
    let mut before = None;
    loop {
        let p = page(
            app,
            PageArgs::new(None, Some(3), None, before.clone(), None, order_by.clone()),
        )
        .await;
        let mut chunk = ids(&p);
        chunk.extend(backward);
        backward = chunk;
        before = p.rows.first().map(|(c, _)| c.clone());
        if !p.has_previous {
            break;
        }
    }
    assert_eq!(backward, ids(&whole), "{order}: backward walk");
    whole.rows.into_iter().map(|(_, m)| m).collect()
}

#[tokio::test]
async fn nullable_columns_and_expressions_page_by_position() {
    on_each_app(|app: TestApp| async move {
        // Officer codes are null for users who are not officers: nulls last ascending...
        let rows = walk(&app, "officerCode").await;
        let codes: Vec<Option<String>> = rows.iter().map(|u| u.officer_code.clone()).collect();
        let first_null = codes
            .iter()
            .position(Option::is_none)
            .expect("a user without code");
        assert!(
            codes[..first_null].iter().all(Option::is_some),
            "nulls last"
        );
        assert!(
            codes[first_null..].iter().all(Option::is_none),
            "nulls last"
        );
        assert!(
            codes[..first_null].windows(2).all(|w| w[0] <= w[1]),
            "codes ascending"
        );
        // ...and first descending.
        let rows = walk(&app, "-officerCode").await;
        assert!(rows[0].officer_code.is_none(), "nulls first descending");

        // A sort expression (a Django path) pages by position too.
        let rows = walk(&app, "-iUser__lastName").await;
        let names: Vec<&str> = rows.iter().map(|u| u.last_name.as_str()).collect();
        assert!(
            names.windows(2).all(|w| w[0] >= w[1]),
            "last names descending"
        );
    })
    .await;
}

#[tokio::test]
async fn date_time_columns_page_by_keyset() {
    on_each_app(|app: TestApp| async move {
        let rows = walk(&app, "-validityFrom").await;
        let expected: Vec<i64> = user::Entity::find()
            .order_by_desc(user::Column::ValidityFrom)
            .order_by_asc(user::Column::Id)
            .all(&app.state.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(rows.iter().map(|u| u.id).collect::<Vec<_>>(), expected);
        // A cursor of one order is refused under another.
        let p = page(
            &app,
            PageArgs::new(
                Some(2),
                None,
                None,
                None,
                None,
                Some(vec!["officerCode".into()]),
            ),
        )
        .await;
        let positional = p.rows[0].0.clone();
        let err = fetch_page(
            &app.state.db.conn,
            user::Entity::find(),
            &PageArgs::new(Some(2), None, Some(positional), None, None, None),
            &SORTABLE,
            &[],
            user::Column::Id,
            &["username"],
            false,
            &app.state.config.graphql,
        )
        .await
        .err()
        .expect("a positional cursor under a keyset order");
        assert_eq!(err.code, "input.invalid_cursor");
    })
    .await;
}
