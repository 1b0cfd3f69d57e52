//! Money at the API (D3, D6): every `Decimal` a client can send — root arguments (list filters)
//! and input-object fields, however deeply nested — is found by walking the composed schema and
//! sent with values beyond what storage holds (±7.9e28) and with more decimals than the currency
//! has. No request may panic or answer `internal`; each must answer an error, and the amounts
//! known to have panicked answer `input.invalid` naming their GraphQL field. A property test pins
//! `Money::parse`, the one checked conversion behind them.

use futures::FutureExt;
use imis_core::auth::Principal;
use imis_core::money::Money;
use imis_tests::{TestApp, on_each_app};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// The schema, as introspection gives it

const INTROSPECTION: &str = r#"{ __schema {
    queryType { name } mutationType { name }
    types { kind name
        fields { name type { ...T } args { name type { ...T } } }
        inputFields { name type { ...T } }
        enumValues { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name } } } } } }"#;

/// A type reference: `T`, `[T]`, `T!`.
#[derive(Debug, Clone)]
enum Ty {
    Named(String),
    List(Box<Ty>),
    NonNull(Box<Ty>),
}

impl Ty {
    fn of(v: &Value) -> Ty {
        match v["kind"].as_str().expect("kind") {
            "NON_NULL" => Ty::NonNull(Box::new(Ty::of(&v["ofType"]))),
            "LIST" => Ty::List(Box::new(Ty::of(&v["ofType"]))),
            _ => Ty::Named(v["name"].as_str().expect("name").to_string()),
        }
    }
    fn name(&self) -> &str {
        match self {
            Ty::Named(n) => n,
            Ty::List(t) | Ty::NonNull(t) => t.name(),
        }
    }
    fn required(&self) -> bool {
        matches!(self, Ty::NonNull(_))
    }
    /// The type as a variable declaration writes it.
    fn decl(&self) -> String {
        match self {
            Ty::Named(n) => n.clone(),
            Ty::List(t) => format!("[{}]", t.decl()),
            Ty::NonNull(t) => format!("{}!", t.decl()),
        }
    }
}

struct Arg {
    name: String,
    ty: Ty,
}

struct Field {
    name: String,
    ty: Ty,
    args: Vec<Arg>,
}

#[derive(Default)]
struct TypeDef {
    kind: String,
    fields: Vec<Field>,
    input_fields: Vec<Arg>,
    enum_values: Vec<String>,
}

struct Schema {
    query: String,
    mutation: String,
    types: BTreeMap<String, TypeDef>,
}

impl Schema {
    fn of(v: &Value) -> Schema {
        let s = &v["__schema"];
        let args = |list: &Value| -> Vec<Arg> {
            list.as_array()
                .map(|l| {
                    l.iter()
                        .map(|a| Arg {
                            name: a["name"].as_str().expect("name").to_string(),
                            ty: Ty::of(&a["type"]),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut types = BTreeMap::new();
        for t in s["types"].as_array().expect("types") {
            let def = TypeDef {
                kind: t["kind"].as_str().expect("kind").to_string(),
                fields: t["fields"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .map(|f| Field {
                                name: f["name"].as_str().expect("name").to_string(),
                                ty: Ty::of(&f["type"]),
                                args: args(&f["args"]),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                input_fields: args(&t["inputFields"]),
                enum_values: t["enumValues"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .map(|e| e["name"].as_str().expect("name").to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            types.insert(t["name"].as_str().expect("name").to_string(), def);
        }
        Schema {
            query: s["queryType"]["name"].as_str().expect("query").to_string(),
            mutation: s["mutationType"]["name"]
                .as_str()
                .expect("mutation")
                .to_string(),
            types,
        }
    }

    fn def(&self, name: &str) -> &TypeDef {
        self.types
            .get(name)
            .unwrap_or_else(|| panic!("no type {name}"))
    }

    fn is_input(&self, name: &str) -> bool {
        self.def(name).kind == "INPUT_OBJECT"
    }

    /// The paths (input-field names) from a value of type `ty` to each `Decimal` it holds,
    /// through nested inputs and lists. An input already on the way is not entered again.
    fn decimal_paths(&self, ty: &Ty, on_the_way: &mut Vec<String>) -> Vec<Vec<String>> {
        let name = ty.name();
        if name == "Decimal" {
            return vec![vec![]];
        }
        if !self.is_input(name) || on_the_way.iter().any(|n| n == name) {
            return vec![];
        }
        on_the_way.push(name.to_string());
        let mut out = vec![];
        for f in &self.def(name).input_fields {
            for mut p in self.decimal_paths(&f.ty, on_the_way) {
                p.insert(0, f.name.clone());
                out.push(p);
            }
        }
        on_the_way.pop();
        out
    }

    /// A plausible value of a type, filling only what is required.
    fn dummy(&self, ty: &Ty, depth: usize) -> Value {
        match ty {
            Ty::NonNull(t) => self.dummy(t, depth),
            Ty::List(_) => json!([]),
            Ty::Named(n) => match n.as_str() {
                "String" | "ServiceCodeInputType" => json!("x"),
                "Int" | "TinyInt" => json!(1),
                "Float" => json!(1.0),
                "Boolean" => json!(false),
                "ID" => json!("1"),
                "Date" => json!("2020-01-01"),
                "DateTime" => json!("2020-01-01T00:00:00"),
                "UUID" => json!(uuid::Uuid::new_v4().to_string()),
                "Decimal" => json!("1"),
                "JSONString" => json!("{}"),
                "GenericScalar" => json!({}),
                other => {
                    let def = self.def(other);
                    match def.kind.as_str() {
                        "ENUM" => json!(def.enum_values.first().expect("enum value")),
                        "INPUT_OBJECT" => Value::Object(self.required_fields(other, depth)),
                        _ => json!("x"),
                    }
                }
            },
        }
    }

    fn required_fields(&self, input: &str, depth: usize) -> Map<String, Value> {
        assert!(depth < 8, "required inputs nest too deep at {input}");
        self.def(input)
            .input_fields
            .iter()
            .filter(|f| f.ty.required())
            .map(|f| (f.name.clone(), self.dummy(&f.ty, depth + 1)))
            .collect()
    }

    /// A value of type `ty` whose `Decimal` at `path` is `money`, the rest plausible.
    fn with_money(&self, ty: &Ty, path: &[String], money: &str, depth: usize) -> Value {
        match ty {
            Ty::NonNull(t) => self.with_money(t, path, money, depth),
            Ty::List(t) => json!([self.with_money(t, path, money, depth)]),
            Ty::Named(n) => match path.split_first() {
                None => {
                    assert_eq!(n, "Decimal");
                    json!(money)
                }
                Some((first, rest)) => {
                    let mut obj = self.required_fields(n, depth);
                    let f = self
                        .def(n)
                        .input_fields
                        .iter()
                        .find(|f| &f.name == first)
                        .expect("field on the path");
                    obj.insert(
                        first.clone(),
                        self.with_money(&f.ty, rest, money, depth + 1),
                    );
                    Value::Object(obj)
                }
            },
        }
    }
}

/// One `Decimal` a client can send: a root field's argument, and the input fields down to it.
#[derive(Debug, Clone)]
struct MoneyField {
    operation: &'static str,
    root: String,
    arg: String,
    path: Vec<String>,
}

impl MoneyField {
    /// The GraphQL name of the `Decimal` itself.
    fn name(&self) -> &str {
        self.path.last().unwrap_or(&self.arg)
    }
    fn label(&self) -> String {
        let mut s = format!("{} {}({}", self.operation, self.root, self.arg);
        for p in &self.path {
            s.push('.');
            s.push_str(p);
        }
        s.push(')');
        s
    }
}

fn money_fields(schema: &Schema) -> Vec<MoneyField> {
    let mut out = vec![];
    for (operation, root) in [("query", &schema.query), ("mutation", &schema.mutation)] {
        for f in &schema.def(root).fields {
            for a in &f.args {
                for path in schema.decimal_paths(&a.ty, &mut vec![]) {
                    out.push(MoneyField {
                        operation,
                        root: f.name.clone(),
                        arg: a.name.clone(),
                        path,
                    });
                }
            }
        }
    }
    out
}

/// What one request answered: the error codes and the `field` parameter of each error.
#[derive(Debug)]
struct Outcome {
    errors: Vec<(String, Option<String>, String)>,
}

impl Outcome {
    fn invalid_naming(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|(code, f, _)| code == "input.invalid" && f.as_deref() == Some(field))
    }
    /// Exactly one error: `input.invalid` naming `field`.
    fn exactly_invalid(&self, field: &str) -> bool {
        self.errors.len() == 1 && self.invalid_naming(field)
    }
}

async fn send(
    app: &TestApp,
    schema: &Schema,
    admin: &Principal,
    m: &MoneyField,
    money: &str,
) -> Outcome {
    let root_type = if m.operation == "query" {
        &schema.query
    } else {
        &schema.mutation
    };
    let field = schema
        .def(root_type)
        .fields
        .iter()
        .find(|f| f.name == m.root)
        .expect("root field");
    let mut decls = vec![];
    let mut uses = vec![];
    let mut vars = Map::new();
    for a in &field.args {
        let value = if a.name == m.arg {
            schema.with_money(&a.ty, &m.path, money, 0)
        } else if a.ty.required() {
            schema.dummy(&a.ty, 0)
        } else {
            continue;
        };
        decls.push(format!("${}: {}", a.name, a.ty.decl()));
        uses.push(format!("{0}: ${0}", a.name));
        vars.insert(a.name.clone(), value);
    }
    let selection = match schema.def(field.ty.name()).kind.as_str() {
        "OBJECT" | "INTERFACE" | "UNION" => "{ __typename }",
        _ => "",
    };
    let query = format!(
        "{} Walk({}) {{ {}({}) {} }}",
        m.operation,
        decls.join(", "),
        m.root,
        uses.join(", "),
        selection
    );
    let run = app.exec_vars(Some(admin), &query, Value::Object(vars.clone()));
    let r = match std::panic::AssertUnwindSafe(run).catch_unwind().await {
        Ok(r) => r,
        Err(_) => panic!(
            "{} = {money} panicked: {query} {}",
            m.label(),
            Value::Object(vars)
        ),
    };
    let errors = r
        .errors
        .iter()
        .map(|e| {
            let ext = e.extensions.as_ref();
            let get = |k: &str| {
                ext.and_then(|x| x.get(k))
                    .map(|v| v.to_string().trim_matches('"').to_string())
            };
            (
                get("code").unwrap_or_default(),
                get("field"),
                e.message.clone(),
            )
        })
        .collect();
    Outcome { errors }
}

/// Amounts by root field and GraphQL name (those that panicked before `Money::parse`, and one or
/// more of each module's inputs): each must answer exactly `input.invalid` naming itself, whatever
/// else the request holds.
const KNOWN: &[(&str, &str)] = &[
    ("policies", "value_Gte"),
    ("policies", "value_Lte"),
    ("policies", "balanceLte"),
    ("policies", "balanceGte"),
    ("premiums", "amount"),
    ("premiums", "amount_Lt"),
    ("premiums", "amount_Lte"),
    ("premiums", "amount_Gt"),
    ("premiums", "amount_Gte"),
    ("fundings", "amount"),
    ("fundings", "amount_Gte"),
    ("fundings", "amount_Lte"),
    ("payments", "receivedAmount_Gte"),
    ("payments", "receivedAmount_Lte"),
    ("payments", "expectedAmount_Gte"),
    ("payments", "expectedAmount_Lte"),
    ("createPremium", "amount"),
    ("updatePremium", "amount"),
    ("addFunding", "amount"),
    ("createPayment", "expectedAmount"),
    ("createPayment", "receivedAmount"),
    ("createPayment", "transferFee"),
    ("updatePayment", "expectedAmount"),
    ("updatePayment", "receivedAmount"),
    ("updatePayment", "transferFee"),
    ("createProduct", "lumpSum"),
    ("updateProduct", "lumpSum"),
    ("createProduct", "premiumAdult"),
    ("createProduct", "maxAmountSurgery"),
    ("createPolicy", "value"),
    ("createPayment", "amount"),
    ("createItem", "price"),
    ("updateService", "maximumAmount"),
    ("createService", "priceAsked"),
    ("createItemsPricelist", "price"),
    ("updateServicesPricelist", "price"),
];

const VALUES: [&str; 3] = [
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "1.123456789",
];

#[tokio::test]
async fn every_decimal_input_refuses_what_storage_cannot_hold() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let intro = app.ok(Some(&admin), INTROSPECTION).await;
        let schema = Schema::of(&intro);
        let fields = money_fields(&schema);
        let mut report = vec![];
        let mut naming = BTreeSet::new();
        for m in &fields {
            let mut line = format!("{:<70}", m.label());
            let mut named_each_time = true;
            for money in VALUES {
                let o = send(&app, &schema, &admin, m, money).await;
                assert!(!o.errors.is_empty(), "{} = {money} was accepted", m.label());
                assert!(
                    o.errors.iter().all(|(code, _, _)| code != "internal"),
                    "{} = {money}: internal error {:?}",
                    m.label(),
                    o.errors
                );
                let known = KNOWN
                    .iter()
                    .any(|(root, name)| *root == m.root && *name == m.name());
                if known {
                    assert!(
                        o.exactly_invalid(m.name()),
                        "{} = {money}: expected input.invalid naming {}, got {:?}",
                        m.label(),
                        m.name(),
                        o.errors
                    );
                }
                if !o.invalid_naming(m.name()) {
                    named_each_time = false;
                }
                let (code, field, _) = &o.errors[0];
                line.push_str(&format!(
                    " | {code}{}",
                    field
                        .as_deref()
                        .map(|f| format!("({f})"))
                        .unwrap_or_default()
                ));
            }
            if named_each_time {
                naming.insert(m.label());
            }
            report.push(line);
        }
        println!(
            "{} Decimal inputs, {} answer input.invalid naming themselves for all of {VALUES:?}:",
            fields.len(),
            naming.len()
        );
        for line in &report {
            println!("  {line}");
        }
        // Every known amount was found by the walk.
        for (root, name) in KNOWN {
            assert!(
                fields.iter().any(|m| m.root == *root && m.name() == *name),
                "the walk did not find {root} {name}"
            );
        }
        assert!(
            fields.len() >= 100,
            "only {} Decimal inputs found: {report:#?}",
            fields.len()
        );
        assert!(
            naming.len() >= KNOWN.len(),
            "only {} Decimal inputs name themselves",
            naming.len()
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Money::parse, property by property

/// Decimals over the whole range: any 96-bit mantissa at any scale, values around the i64 limits
/// at the currencies' scales, and the extremes.
fn decimals() -> impl Strategy<Value = Decimal> {
    let max = 1i128 << 96;
    prop_oneof![
        6 => (any::<i128>(), 0u32..=28)
            .prop_map(move |(m, s)| Decimal::from_i128_with_scale(m % max, s)),
        3 => (any::<i64>(), 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        2 => (-1_000_000i64..1_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => prop::sample::select(vec![
            Decimal::MAX,
            Decimal::MIN,
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::NEGATIVE_ONE,
            Decimal::new(i64::MAX, 0),
            Decimal::new(i64::MIN, 0),
            Decimal::new(i64::MAX, 2),
            Decimal::new(i64::MIN, 4),
            Decimal::from_i128_with_scale(i64::MAX as i128 + 1, 2),
            Decimal::from_i128_with_scale(i64::MIN as i128 - 1, 0),
            Decimal::from_i128_with_scale(1, 28),
            Decimal::from_i128_with_scale(100, 4),
        ]),
    ]
}

/// What `Money::parse` must answer, computed without `Decimal` arithmetic: the minor units when
/// the value has at most `digits` decimals (trailing zeros aside) and fits in an `i64`.
fn expected(d: Decimal, digits: u32) -> Option<i64> {
    let n = d.normalize();
    if n.scale() > digits {
        return None;
    }
    let minor = n.mantissa().checked_mul(10i128.pow(digits - n.scale()))?;
    i64::try_from(minor).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn money_parse_is_exact_and_never_panics(d in decimals(), digits in 0u32..=4) {
        let got = Money::parse("amount_Gte", d, digits);
        match (got, expected(d, digits)) {
            (Ok(m), Some(minor)) => {
                prop_assert_eq!(m.0, minor);
                prop_assert_eq!(m.to_decimal(digits), d);
            }
            (Err(e), None) => {
                prop_assert_eq!(e.code.as_str(), "input.invalid");
                prop_assert_eq!(e.params.get("field").map(String::as_str), Some("amount_Gte"));
                prop_assert!(e.params.contains_key("reason"));
            }
            (got, want) => prop_assert!(false, "{} with {} digits: got {:?}, want {:?}", d, digits, got, want),
        }
    }
}
