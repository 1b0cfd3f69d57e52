#!/usr/bin/env bash
# Builds openIMIS's web front end for imis from the public assembly app (openimis/openimis-fe_js)
# following docs/frontend.md: npm-pinned modules instead of GitHub ones, French, homepage /front.
# Usage: scripts/build-frontend.sh APP_DIR   (a freshly unpacked assembly app; running it twice is fine)
# Then serve it with IMIS_SERVER__FRONT_DIR=APP_DIR/build imis serve.
# Amounts show the currency built in: IMIS_FRONT_CURRENCY, else `currency` of [core] in this
# repository's config/default.toml (give a country profile's currency through the variable).
set -euo pipefail
app="${1:?usage: $0 APP_DIR}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$app"
[ -f openimis-config.js ] && [ -f src/ModulesManager.js ] || { echo "$app is not the assembly app" >&2; exit 1; }

# 1. openimis.json: the module versions known to work, from npm (no GitHub access needed).
node - <<'EOF'
const fs = require("fs");
const cfg = JSON.parse(fs.readFileSync("openimis.json", "utf-8"));
const pinned = [
  ["CoreModule", "fe-core", "1.11.0"],
  ["HomeModule", "fe-home", "1.7.0"],
  ["LocationModule", "fe-location", "1.8.0"],
  ["InsureeModule", "fe-insuree", "1.11.0"],
  ["MedicalModule", "fe-medical", "1.9.0"],
  ["MedicalPriceListModule", "fe-medical_pricelist", "1.8.0"],
  ["ProductModule", "fe-product", "1.10.0"],
  ["PolicyModule", "fe-policy", "1.10.0"],
  ["PayerModule", "fe-payer", "1.7.0"],
  ["ContributionModule", "fe-contribution", "1.9.0"],
  ["ClaimModule", "fe-claim", "1.10.0"],
  ["AdminModule", "fe-admin", "1.11.0"],
  ["LanguageFrModule", "fe-language_fr", "1.9.0"],
];
cfg.modules = pinned.map(([name, pkg, version]) => ({ name, npm: `@openimis/${pkg}@${version}` }));
cfg.locales = [
  { languages: ["en", "en-GB"], intl: "en-GB", fileNames: "en" },
  { languages: ["fr", "fr-FR"], intl: "fr-FR", fileNames: "fr" },
];
fs.writeFileSync("openimis.json", JSON.stringify(cfg, null, 2) + "\n");
EOF

# 2. Generates src/modules.js and src/locales.js, and puts the modules into package.json.
node openimis-config.js

# 3. package.json: served under /front; fe-core 1.11 imports @sentry/react without declaring it.
node - <<'EOF'
const fs = require("fs");
const pkg = JSON.parse(fs.readFileSync("package.json", "utf-8"));
pkg.homepage = "/front";
pkg.dependencies["@sentry/react"] = "^7.120.0";
fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
EOF

# 4. fe-core 1.11 calls modulesManager.getMenuEntries(), which this assembly app lacks: the
#    entries with a route from every contribution whose key contains "MainMenu".
if ! grep -q "getMenuEntries" src/ModulesManager.js; then
  node - <<'EOF'
const fs = require("fs");
const file = "src/ModulesManager.js";
const src = fs.readFileSync(file, "utf-8");
const method = `
  getMenuEntries() {
    return this.modules
      .flatMap((module) => Object.keys(module).filter((key) => key.includes("MainMenu")).map((key) => module[key]))
      .flatMap((contribution) => ensureArray(contribution))
      .filter((entry) => !!entry && !!entry.route);
  }

  getConf(`;
if (!src.includes("\n  getConf(")) throw new Error("getConf not found in " + file);
fs.writeFileSync(file, src.replace("\n  getConf(", method));
EOF
fi

# 5. The front end prints amounts after the message `currency` of the assembly's base messages
#    ("$" upstream; no module translates it, so it shows in every language).
currency="${IMIS_FRONT_CURRENCY:-$(python3 -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print(tomllib.load(f)["core"]["currency"])
' "$repo/config/default.toml")}"
[ -n "$currency" ] || { echo "no currency: set IMIS_FRONT_CURRENCY" >&2; exit 1; }
CURRENCY="$currency" node - <<'EOF'
const fs = require("fs");
const file = "src/translations/ref.json";
const messages = JSON.parse(fs.readFileSync(file, "utf-8"));
messages.currency = process.env.CURRENCY;
fs.writeFileSync(file, JSON.stringify(messages, null, 2) + "\n");
EOF
echo "Amounts shown in $currency"

# 6. Install and build (webpack 4 on node >= 17 needs the legacy OpenSSL provider).
npm install --no-audit --no-fund --legacy-peer-deps
NODE_OPTIONS=--openssl-legacy-provider REACT_APP_API_URL=/api GENERATE_SOURCEMAP=false npm run build
echo "Built $app/build; serve it with IMIS_SERVER__FRONT_DIR=$app/build"
