#!/usr/bin/env bash
# Downloads GraphiQL and React from the npm registry into a folder that imis serves when
# `graphql.graphiql_assets_dir` names it, so GraphiQL works on a machine without internet.
# Usage: scripts/fetch-graphiql.sh [FOLDER]   (default: data/graphiql)
set -euo pipefail
dest="${1:-data/graphiql}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
(cd "$work" && npm pack --silent graphiql@3 react@18 react-dom@18 >/dev/null)
for pkg in "$work"/*.tgz; do
    tar -xzf "$pkg" -C "$work"
    cp "$work"/package/graphiql.min.js "$work"/package/graphiql.min.css "$dest"/ 2>/dev/null || true
    cp "$work"/package/umd/react.production.min.js "$work"/package/umd/react-dom.production.min.js "$dest"/ 2>/dev/null || true
    rm -rf "$work/package"
done
for f in graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js; do
    [ -s "$dest/$f" ] || { echo "missing $f" >&2; exit 1; }
done
echo "GraphiQL assets in $dest; set graphql.graphiql_assets_dir = \"$dest\" (or IMIS_GRAPHQL__GRAPHIQL_ASSETS_DIR)."
