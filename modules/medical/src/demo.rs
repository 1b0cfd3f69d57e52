//! Demo data (D30): 30 items and 20 services (three of them packages) with prices in XAF, 61
//! ICD-10 codes with French names, one items and one services price list located at the demo
//! region and assigned to every demo facility. Inserted directly (no rights check) after the
//! core's demo data. The rows are dated 1 January 2020 so that demo claims of any recent date
//! find them valid (D11).

use crate::entity::{diagnosis, item, pricelist, pricelist_detail, service, service_content};
use crate::service::MedicalKind;
use chrono::{DateTime, NaiveDate, Utc};
use futures::future::BoxFuture;
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// (code, name, type, package, price XAF, care type, patient category)
const ITEMS: &[(&str, &str, &str, &str, i64, &str, i32)] = &[
    (
        "PARA5",
        "Paracétamol 500 mg, comprimé",
        "D",
        "Boîte de 1000",
        10,
        "B",
        15,
    ),
    (
        "AMOX5",
        "Amoxicilline 500 mg, gélule",
        "D",
        "Boîte de 1000",
        25,
        "B",
        15,
    ),
    (
        "AMOXS",
        "Amoxicilline 250 mg/5 ml, suspension buvable",
        "D",
        "Flacon de 60 ml",
        800,
        "B",
        15,
    ),
    (
        "ACT20",
        "Artéméther-luméfantrine 20/120 mg, comprimé",
        "D",
        "Plaquette de 24",
        60,
        "B",
        15,
    ),
    (
        "ARTI60",
        "Artésunate 60 mg, poudre injectable",
        "D",
        "Flacon",
        1500,
        "I",
        15,
    ),
    (
        "QUIN3",
        "Quinine 300 mg/ml, ampoule de 2 ml",
        "D",
        "Boîte de 100",
        300,
        "B",
        15,
    ),
    (
        "SRO",
        "Sels de réhydratation orale, sachet",
        "D",
        "Sachet de 20,5 g",
        100,
        "B",
        15,
    ),
    (
        "ZINC20",
        "Zinc 20 mg, comprimé dispersible",
        "D",
        "Plaquette de 10",
        20,
        "B",
        15,
    ),
    (
        "CTX480",
        "Cotrimoxazole 480 mg, comprimé",
        "D",
        "Boîte de 1000",
        10,
        "B",
        15,
    ),
    (
        "METRO2",
        "Métronidazole 250 mg, comprimé",
        "D",
        "Boîte de 1000",
        10,
        "B",
        15,
    ),
    (
        "IBU400",
        "Ibuprofène 400 mg, comprimé",
        "D",
        "Boîte de 100",
        15,
        "B",
        15,
    ),
    (
        "FEFOL",
        "Fer et acide folique, comprimé",
        "D",
        "Boîte de 1000",
        5,
        "B",
        15,
    ),
    (
        "MEBE5",
        "Mébendazole 500 mg, comprimé",
        "D",
        "Boîte de 100",
        100,
        "B",
        15,
    ),
    (
        "OXYT10",
        "Ocytocine 10 UI, ampoule",
        "D",
        "Boîte de 50",
        400,
        "B",
        6,
    ),
    (
        "MISO2",
        "Misoprostol 200 µg, comprimé",
        "D",
        "Plaquette de 4",
        250,
        "B",
        6,
    ),
    (
        "CEFTR1",
        "Ceftriaxone 1 g, poudre injectable",
        "D",
        "Flacon",
        1000,
        "B",
        15,
    ),
    (
        "GENT80",
        "Gentamicine 80 mg, ampoule",
        "D",
        "Boîte de 100",
        200,
        "B",
        15,
    ),
    (
        "DIAZ10",
        "Diazépam 10 mg, ampoule",
        "D",
        "Boîte de 100",
        150,
        "B",
        15,
    ),
    (
        "SALB",
        "Salbutamol 100 µg, aérosol doseur",
        "D",
        "200 doses",
        2500,
        "B",
        15,
    ),
    (
        "METF5",
        "Metformine 500 mg, comprimé",
        "D",
        "Boîte de 100",
        20,
        "O",
        7,
    ),
    (
        "NIFE20",
        "Nifédipine 20 mg, comprimé",
        "D",
        "Boîte de 100",
        25,
        "B",
        7,
    ),
    (
        "RL500",
        "Ringer lactate, flacon de 500 ml",
        "D",
        "Flacon",
        700,
        "I",
        15,
    ),
    (
        "GLU500",
        "Glucosé 5 %, flacon de 500 ml",
        "D",
        "Flacon",
        600,
        "I",
        15,
    ),
    (
        "GANT",
        "Gants d'examen, paire",
        "M",
        "Boîte de 50 paires",
        100,
        "B",
        15,
    ),
    ("GSTER", "Gants stériles, paire", "M", "Paire", 250, "B", 15),
    (
        "SER5",
        "Seringue de 5 ml avec aiguille",
        "M",
        "Boîte de 100",
        50,
        "B",
        15,
    ),
    ("PERF", "Perfuseur", "M", "Unité", 300, "I", 15),
    (
        "CATH22",
        "Cathéter intraveineux 22 G",
        "M",
        "Unité",
        300,
        "B",
        15,
    ),
    (
        "COMP",
        "Compresses stériles, paquet de 10",
        "M",
        "Paquet",
        200,
        "B",
        15,
    ),
    (
        "FIL",
        "Fil de suture résorbable",
        "M",
        "Sachet",
        1500,
        "B",
        15,
    ),
];

/// (code, name, type, level, category, price XAF, care type, patient category, package type)
type DemoService = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    i32,
    &'static str,
);
const SERVICES: &[DemoService] = &[
    (
        "C0001",
        "Consultation de médecine générale",
        "C",
        "V",
        "C",
        2000,
        "O",
        15,
        "S",
    ),
    (
        "C0002",
        "Consultation spécialisée",
        "C",
        "V",
        "C",
        5000,
        "O",
        15,
        "S",
    ),
    (
        "C0003",
        "Consultation prénatale",
        "P",
        "V",
        "A",
        1500,
        "O",
        6,
        "S",
    ),
    (
        "C0004",
        "Accouchement eutocique",
        "C",
        "D",
        "D",
        25000,
        "B",
        6,
        "P",
    ),
    ("C0005", "Césarienne", "C", "H", "S", 150000, "I", 6, "P"),
    ("L0001", "Goutte épaisse", "C", "S", "", 1000, "B", 15, "S"),
    (
        "L0002",
        "Test de diagnostic rapide du paludisme",
        "C",
        "S",
        "",
        1000,
        "B",
        15,
        "S",
    ),
    (
        "L0003",
        "Numération formule sanguine",
        "C",
        "S",
        "",
        3000,
        "B",
        15,
        "S",
    ),
    ("L0004", "Glycémie", "C", "S", "", 1000, "B", 15, "S"),
    (
        "L0005",
        "Examen parasitologique des selles",
        "C",
        "S",
        "",
        1500,
        "B",
        15,
        "S",
    ),
    ("L0006", "Dépistage du VIH", "P", "S", "", 0, "B", 15, "S"),
    (
        "R0001",
        "Radiographie du thorax",
        "C",
        "S",
        "",
        8000,
        "B",
        15,
        "S",
    ),
    (
        "R0002",
        "Échographie obstétricale",
        "P",
        "S",
        "A",
        10000,
        "O",
        6,
        "S",
    ),
    (
        "H0001",
        "Journée d'hospitalisation",
        "C",
        "D",
        "H",
        5000,
        "I",
        15,
        "S",
    ),
    (
        "H0002",
        "Prise en charge du paludisme grave",
        "C",
        "H",
        "H",
        35000,
        "I",
        15,
        "F",
    ),
    (
        "S0001",
        "Petite chirurgie (suture, incision)",
        "C",
        "S",
        "S",
        5000,
        "O",
        15,
        "S",
    ),
    (
        "S0002",
        "Appendicectomie",
        "C",
        "H",
        "S",
        120000,
        "I",
        15,
        "S",
    ),
    ("P0001", "Vaccination", "P", "S", "O", 500, "O", 15, "S"),
    (
        "P0002",
        "Planification familiale",
        "P",
        "S",
        "O",
        1000,
        "O",
        6,
        "S",
    ),
    ("P0003", "Pansement", "C", "S", "O", 1000, "B", 15, "S"),
];

/// Package content: (service code, kind, item or service code, quantity).
const CONTENT: &[(&str, MedicalKind, &str, i32)] = &[
    ("C0004", MedicalKind::Item, "OXYT10", 1),
    ("C0004", MedicalKind::Item, "GSTER", 2),
    ("C0004", MedicalKind::Item, "COMP", 2),
    ("C0005", MedicalKind::Item, "CEFTR1", 2),
    ("C0005", MedicalKind::Item, "FIL", 2),
    ("C0005", MedicalKind::Item, "RL500", 3),
    ("C0005", MedicalKind::Service, "H0001", 4),
    ("H0002", MedicalKind::Item, "ARTI60", 3),
    ("H0002", MedicalKind::Item, "GLU500", 2),
    ("H0002", MedicalKind::Item, "PERF", 1),
    ("H0002", MedicalKind::Service, "L0001", 2),
    ("H0002", MedicalKind::Service, "H0001", 3),
];

/// ICD-10 codes with French names.
const DIAGNOSES: &[(&str, &str)] = &[
    ("A00", "Choléra"),
    ("A01", "Fièvres typhoïde et paratyphoïde"),
    ("A03", "Shigellose"),
    ("A06", "Amibiase"),
    (
        "A09",
        "Diarrhée et gastro-entérite d'origine présumée infectieuse",
    ),
    (
        "A15",
        "Tuberculose de l'appareil respiratoire, avec confirmation bactériologique et histologique",
    ),
    (
        "A16",
        "Tuberculose de l'appareil respiratoire, sans confirmation bactériologique ou histologique",
    ),
    ("A33", "Tétanos néonatal"),
    ("A37", "Coqueluche"),
    ("A39", "Infection à méningocoques"),
    ("B05", "Rougeole"),
    (
        "B20",
        "Immunodéficience humaine virale [VIH], à l'origine de maladies infectieuses et parasitaires",
    ),
    ("B50", "Paludisme à Plasmodium falciparum"),
    ("B51", "Paludisme à Plasmodium vivax"),
    ("B54", "Paludisme, sans précision"),
    ("B65", "Schistosomiase [bilharziose]"),
    ("B76", "Ankylostomiase"),
    ("B82", "Parasitose intestinale, sans précision"),
    ("B86", "Gale"),
    ("D50", "Anémie par carence en fer"),
    ("D64", "Autres anémies"),
    ("E11", "Diabète sucré de type 2"),
    ("E40", "Kwashiorkor"),
    (
        "E43",
        "Malnutrition protéino-énergétique grave, sans précision",
    ),
    ("E46", "Malnutrition protéino-énergétique, sans précision"),
    ("G40", "Épilepsie"),
    ("H10", "Conjonctivite"),
    ("H66", "Otite moyenne suppurée et sans précision"),
    ("I10", "Hypertension essentielle (primitive)"),
    ("I50", "Insuffisance cardiaque"),
    ("J00", "Rhinopharyngite aiguë [rhume banal]"),
    ("J02", "Pharyngite aiguë"),
    ("J03", "Amygdalite aiguë"),
    (
        "J06",
        "Infections aiguës des voies respiratoires supérieures, à localisations multiples et non précisées",
    ),
    ("J18", "Pneumopathie, micro-organisme non précisé"),
    ("J20", "Bronchite aiguë"),
    ("J45", "Asthme"),
    ("K25", "Ulcère de l'estomac"),
    ("K29", "Gastrite et duodénite"),
    ("K35", "Appendicite aiguë"),
    ("K40", "Hernie inguinale"),
    ("L01", "Impétigo"),
    ("L02", "Abcès cutané, furoncle et anthrax"),
    ("L30", "Autres dermites"),
    ("N39", "Autres affections de l'appareil urinaire"),
    (
        "N73",
        "Autres affections inflammatoires pelviennes de la femme",
    ),
    ("O03", "Avortement spontané"),
    (
        "O14",
        "Hypertension gestationnelle avec protéinurie importante",
    ),
    ("O15", "Éclampsie"),
    ("O24", "Diabète sucré au cours de la grossesse"),
    ("O72", "Hémorragie du post-partum"),
    ("O80", "Accouchement unique et spontané"),
    ("O82", "Accouchement unique par césarienne"),
    (
        "P07",
        "Troubles liés à une gestation écourtée et à un poids faible à la naissance",
    ),
    ("P36", "Sepsis bactérien du nouveau-né"),
    ("R50", "Fièvre d'origine autre et inconnue"),
    ("R51", "Céphalée"),
    ("S06", "Lésion traumatique intracrânienne"),
    (
        "T14",
        "Lésion traumatique d'une partie du corps non précisée",
    ),
    ("Z34", "Surveillance d'une grossesse normale"),
    ("Z30", "Prise en charge d'une contraception"),
];

/// Override prices of the demo lists (code, price XAF).
const ITEM_OVERRIDES: &[(&str, i64)] = &[("ACT20", 50), ("AMOX5", 20), ("SALB", 2000)];
const SERVICE_OVERRIDES: &[(&str, i64)] = &[("C0001", 1500), ("H0001", 4000)];

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        insert_all(&state, &*tx).await?;
        tx.commit().await?;
        Ok(())
    })
}

async fn insert_all(state: &AppState, tx: &impl ConnectionTrait) -> AppResult<()> {
    let digits = state.config.core.currency_minor_digits;
    let xaf = |amount: i64| -> AppResult<i64> {
        Ok(Money::from_decimal(Decimal::from(amount), digits)?.0)
    };
    let from: DateTime<Utc> = "2020-01-01T00:00:00Z"
        .parse()
        .map_err(|_| AppError::internal())?;
    let list_date = NaiveDate::from_ymd_opt(2020, 1, 1).ok_or_else(AppError::internal)?;
    let mut items: HashMap<&str, i64> = HashMap::new();
    for (code, name, t, package, price, care, cat) in ITEMS {
        let m = item::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            name_search: Set(imis_core::text::fold(name)),
            item_type: Set(t.to_string()),
            package: Set(Some(package.to_string())),
            price: Set(xaf(*price)?),
            quantity: Set(Some(100)),
            maximum_amount: Set(None),
            care_type: Set(care.to_string()),
            frequency: Set(None),
            patient_category: Set(*cat),
            validity_from: Set(from),
            validity_to: Set(None),
            audit_user_id: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        items.insert(code, m.id);
    }
    let mut services: HashMap<&str, i64> = HashMap::new();
    for (code, name, t, level, category, price, care, cat, packagetype) in SERVICES {
        let m = service::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            name_search: Set(imis_core::text::fold(name)),
            service_type: Set(t.to_string()),
            level: Set(level.to_string()),
            category: Set((!category.is_empty()).then(|| category.to_string())),
            price: Set(xaf(*price)?),
            maximum_amount: Set(None),
            care_type: Set(care.to_string()),
            frequency: Set(None),
            patient_category: Set(*cat),
            packagetype: Set(packagetype.to_string()),
            manual_price: Set(false),
            validity_from: Set(from),
            validity_to: Set(None),
            audit_user_id: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        services.insert(code, m.id);
    }
    for (parent, kind, member, qty) in CONTENT {
        let medical_id = match kind {
            MedicalKind::Item => items[member],
            MedicalKind::Service => services[member],
        };
        service_content::ActiveModel {
            service_id: Set(services[parent]),
            kind: Set(kind.code().into()),
            medical_id: Set(medical_id),
            qty_provided: Set(Some(*qty)),
            price_asked: Set(None),
            status: Set(true),
            created_at: Set(from),
            validity_from: Set(from),
            validity_to: Set(None),
            audit_user_id: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    for (code, name) in DIAGNOSES {
        diagnosis::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code: Set(code.to_string()),
            name: Set(name.to_string()),
            name_search: Set(imis_core::text::fold(name)),
            validity_from: Set(from),
            validity_to: Set(None),
            audit_user_id: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    let b = tx.get_database_backend();
    let region: Option<i64> = match tx
        .query_one_raw(imis_core::db::stmt(
            b,
            "SELECT id FROM core_location WHERE type = 'R' AND validity_to IS NULL ORDER BY id",
            vec![],
        ))
        .await?
    {
        Some(r) => Some(r.try_get("", "id")?),
        None => None,
    };
    let mut lists = vec![];
    for (kind, name, members, overrides) in [
        (
            MedicalKind::Item,
            "Médicaments et consommables — Littoral",
            &items,
            ITEM_OVERRIDES,
        ),
        (
            MedicalKind::Service,
            "Actes et services — Littoral",
            &services,
            SERVICE_OVERRIDES,
        ),
    ] {
        let pl = pricelist::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            kind: Set(kind.code().into()),
            name: Set(name.to_string()),
            name_search: Set(imis_core::text::fold(name)),
            pricelist_date: Set(list_date),
            location_id: Set(region),
            validity_from: Set(from),
            validity_to: Set(None),
            audit_user_id: Set(None),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        let mut ids: Vec<(&str, i64)> = members.iter().map(|(c, i)| (*c, *i)).collect();
        ids.sort_by_key(|(_, i)| *i);
        for (code, id) in ids {
            let price = match overrides.iter().find(|(c, _)| *c == code) {
                Some((_, p)) => Some(xaf(*p)?),
                None => None,
            };
            pricelist_detail::ActiveModel {
                pricelist_id: Set(pl.id),
                kind: Set(kind.code().into()),
                medical_id: Set(id),
                price_overrule: Set(price),
                validity_from: Set(from),
                validity_to: Set(None),
                audit_user_id: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
        lists.push(pl.id);
    }
    let facilities = tx
        .query_all_raw(imis_core::db::stmt(
            b,
            "SELECT id FROM core_health_facility WHERE validity_to IS NULL ORDER BY id",
            vec![],
        ))
        .await?;
    for f in facilities {
        let hf: i64 = f.try_get("", "id")?;
        tx.execute_raw(imis_core::db::stmt(
            b,
            "INSERT INTO medical_hf_pricelist (health_facility_id, items_pricelist_id, services_pricelist_id) VALUES (?, ?, ?)",
            vec![hf.into(), lists[0].into(), lists[1].into()],
        ))
        .await?;
    }
    Ok(())
}
