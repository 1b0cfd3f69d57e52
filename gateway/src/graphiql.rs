//! The GraphiQL page served on `GET /api/graphql` (D1). Its scripts load from the folder named by
//! `graphql.graphiql_assets_dir` (served under `/api/graphiql-assets/`; `scripts/fetch-graphiql.sh`
//! fills it from the npm registry) so that it works without internet, else from a CDN.

const TEMPLATE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>imis GraphiQL</title>
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  <link rel="stylesheet" href="{CSS}">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script crossorigin src="{REACT}"></script>
  <script crossorigin src="{REACT_DOM}"></script>
  <script crossorigin src="{GRAPHIQL}"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/api/graphql', fetch: (url, opts) => fetch(url, Object.assign({}, opts, { credentials: 'same-origin' })) });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true })
    );
  </script>
</body>
</html>
"#;

/// The page, with assets from the local folder (`local`) or the CDN.
pub fn page(local: bool) -> String {
    let (css, react, react_dom, graphiql) = if local {
        (
            "/api/graphiql-assets/graphiql.min.css",
            "/api/graphiql-assets/react.production.min.js",
            "/api/graphiql-assets/react-dom.production.min.js",
            "/api/graphiql-assets/graphiql.min.js",
        )
    } else {
        (
            "https://unpkg.com/graphiql@3/graphiql.min.css",
            "https://unpkg.com/react@18/umd/react.production.min.js",
            "https://unpkg.com/react-dom@18/umd/react-dom.production.min.js",
            "https://unpkg.com/graphiql@3/graphiql.min.js",
        )
    };
    TEMPLATE
        .replace("{CSS}", css)
        .replace("{REACT_DOM}", react_dom)
        .replace("{REACT}", react)
        .replace("{GRAPHIQL}", graphiql)
}
