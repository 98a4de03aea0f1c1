//! The sandbox's state in SQLite — a file (`--state FILE`, survives restarts) or memory.
//! Products and licenses are stored as JSON documents keyed by their ids; metering records and
//! the call trail are tables, since they are what gets queried and what grows.

use crate::error::AwsResult;
use crate::model::{License, Offer, Product};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS products (entity_id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS licenses (license_arn TEXT PRIMARY KEY, product_code TEXT NOT NULL,
    customer_identifier TEXT NOT NULL, customer_aws_account_id TEXT NOT NULL, meterable INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS licenses_by_account ON licenses (product_code, customer_aws_account_id);
CREATE INDEX IF NOT EXISTS licenses_by_customer ON licenses (product_code, customer_identifier);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, license_arn TEXT NOT NULL, expires INTEGER NOT NULL);
-- record_id is a random UUID: unique without an index of its own (which cost each insert a
-- third B-tree write); records are found by the dedup key below.
CREATE TABLE IF NOT EXISTS metering (record_id TEXT NOT NULL, product_code TEXT NOT NULL,
    customer TEXT NOT NULL, dimension TEXT NOT NULL, ts INTEGER NOT NULL, hour INTEGER NOT NULL,
    quantity INTEGER NOT NULL, license_arn TEXT, received INTEGER NOT NULL,
    UNIQUE (product_code, customer, dimension, hour));
CREATE TABLE IF NOT EXISTS offers (id TEXT PRIMARY KEY, product_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS change_sets (id TEXT PRIMARY KEY, started INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trail (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL,
    event_name TEXT NOT NULL, event_source TEXT NOT NULL, event_time INTEGER NOT NULL,
    access_key TEXT NOT NULL, read_only INTEGER NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL);
-- LookupEvents with a StartTime (what a session's CloudTrail watcher asks every few seconds)
-- reads only the calls since then, not the whole trail.
CREATE INDEX IF NOT EXISTS trail_by_time ON trail (event_time);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"#;

/// How many calls the CloudTrail view keeps (the oldest are dropped first).
pub const MAX_TRAIL_ROWS: usize = 10_000;
/// How many calls are recorded between two trims of the trail.
const TRIM_EVERY: i64 = 256;
/// The newest `MAX_TRAIL_ROWS` calls: what every read of the trail sees, trimmed or not.
const TRAIL_KEPT: &str = "seq > (SELECT COALESCE(MAX(seq), 0) FROM trail) - 10000";
const _: () = assert!(
    MAX_TRAIL_ROWS == 10_000,
    "TRAIL_KEPT spells MAX_TRAIL_ROWS out"
);

pub struct State {
    conn: Mutex<Connection>,
    /// Products by entity id and by code, parsed once: every Marketplace call looks its product
    /// up, and a product's document (allow-list included) is large next to the call itself.
    /// Filled on demand, emptied by every product write.
    products: std::sync::RwLock<HashMap<String, Arc<Product>>>,
    /// Each product's meterable licenses, indexed by customer: BatchMeterUsage asks for one per
    /// record. Filled per product on demand, dropped by every write of that product's licenses.
    meterable: std::sync::RwLock<HashMap<String, Arc<Meterable>>>,
    /// The clock offset, read on every call: kept in memory, written through to the database.
    offset: std::sync::atomic::AtomicI64,
}

/// The meterable licenses of one product, oldest first per customer.
#[derive(Default)]
struct Meterable {
    by_account: HashMap<String, Vec<String>>,
    by_customer: HashMap<String, Vec<String>>,
}

/// A stored metering record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeteringRow {
    pub record_id: String,
    pub product_code: String,
    pub customer: String,
    pub dimension: String,
    pub timestamp: i64,
    pub quantity: i64,
    pub license_arn: Option<String>,
}

/// A trail row from `SELECT event_id, event_name, event_source, event_time, access_key,
/// read_only, request, response`.
fn trail_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrailRow> {
    Ok(TrailRow {
        event_id: r.get(0)?,
        event_name: r.get(1)?,
        event_source: r.get(2)?,
        event_time: r.get(3)?,
        access_key: r.get(4)?,
        read_only: r.get(5)?,
        request: r.get(6)?,
        response: r.get(7)?,
    })
}

/// A LookupEvents attribute: the key (one of those CloudTrail accepts) and the value.
#[derive(Debug, Clone)]
pub struct TrailFilter {
    pub key: String,
    pub value: String,
}

impl TrailFilter {
    /// The SQL condition on `?3` (the value) for this key, as CloudTrail matches it.
    fn clause(&self) -> &'static str {
        match self.key.as_str() {
            "EventId" => "event_id = ?3",
            "EventName" => "event_name = ?3",
            "EventSource" => "event_source = ?3",
            "AccessKeyId" => "access_key = ?3",
            "ReadOnly" => "(CASE read_only WHEN 0 THEN 'false' ELSE 'true' END) = ?3",
            "Username" => "('sandbox-' || access_key) = ?3",
            // ResourceType and ResourceName: the sandbox records no resources.
            _ => "(?3 IS NULL AND 0)",
        }
    }
}

/// A stored CloudTrail event.
#[derive(Debug, Clone)]
pub struct TrailRow {
    pub event_id: String,
    pub event_name: String,
    pub event_source: String,
    pub event_time: i64,
    pub access_key: String,
    pub read_only: bool,
    pub request: String,
    pub response: String,
}

impl State {
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.execute_batch(SCHEMA)?;
        let offset: i64 = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'clock_offset'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse::<i64>().ok())
            // A database edited by hand (or written before the bound) cannot put the clock
            // where `now()` arithmetic would overflow.
            .map(|v| v.clamp(0, crate::MAX_CLOCK_OFFSET_SECS))
            .unwrap_or(0);
        Ok(Self {
            conn: Mutex::new(conn),
            products: Default::default(),
            meterable: Default::default(),
            offset: std::sync::atomic::AtomicI64::new(offset),
        })
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> AwsResult<T> {
        let mut c = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut c)?)
    }

    // ---- clock ---------------------------------------------------------------------------

    pub fn clock_offset(&self) -> AwsResult<i64> {
        Ok(self.offset.load(std::sync::atomic::Ordering::SeqCst))
    }

    pub fn set_clock_offset(&self, secs: i64) -> AwsResult<()> {
        self.offset.store(secs, std::sync::atomic::Ordering::SeqCst);
        self.with(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('clock_offset', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [secs.to_string()],
            )?;
            Ok(())
        })
    }

    // ---- products --------------------------------------------------------------------------

    pub fn put_product(&self, p: &Product) -> AwsResult<()> {
        let doc = serde_json::to_string(p).unwrap_or_default();
        self.with(|c| {
            c.execute(
                "INSERT INTO products (entity_id, code, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT(entity_id) DO UPDATE SET code = excluded.code, doc = excluded.doc",
                params![p.entity_id, p.code, doc],
            )?;
            // Emptied after the write, under the connection lock that cache fills also hold.
            self.products
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            Ok(())
        })
    }

    pub fn products(&self) -> AwsResult<Vec<Product>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT doc FROM products ORDER BY entity_id")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
                .collect())
        })
    }

    /// By entity id (`prod-…`) or product code.
    pub fn product(&self, id_or_code: &str) -> AwsResult<Option<Arc<Product>>> {
        if let Some(p) = self
            .products
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id_or_code)
        {
            return Ok(Some(p.clone()));
        }
        // Read and cache under the connection lock, which put_product holds while it writes and
        // empties the cache: a stale document can never be cached after a write.
        self.with(|c| {
            let doc: Option<String> = c
                .prepare_cached("SELECT doc FROM products WHERE entity_id = ?1 OR code = ?1")?
                .query_row([id_or_code], |r| r.get(0))
                .optional()?;
            let Some(p) = doc.and_then(|d| serde_json::from_str::<Product>(&d).ok()) else {
                return Ok(None);
            };
            let p = Arc::new(p);
            let mut cache = self.products.write().unwrap_or_else(|e| e.into_inner());
            cache.insert(p.entity_id.clone(), p.clone());
            cache.insert(p.code.clone(), p.clone());
            Ok(Some(p))
        })
    }

    // ---- licenses and tokens ---------------------------------------------------------------

    pub fn put_license(&self, l: &License) -> AwsResult<()> {
        let doc = serde_json::to_string(l).unwrap_or_default();
        self.with(|c| {
            c.execute(
                "INSERT INTO licenses (license_arn, product_code, customer_identifier, customer_aws_account_id, meterable, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(license_arn) DO UPDATE SET doc = excluded.doc, meterable = excluded.meterable",
                params![
                    l.license_arn,
                    l.product_code,
                    l.customer_identifier,
                    l.customer_aws_account_id,
                    matches!(l.status, crate::model::LicenseStatus::Active | crate::model::LicenseStatus::PendingCancellation),
                    doc
                ],
            )?;
            self.meterable
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&l.product_code);
            Ok(())
        })
    }

    pub fn licenses(&self) -> AwsResult<Vec<License>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT doc FROM licenses ORDER BY rowid")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
                .collect())
        })
    }

    /// The license a customer can be metered against: active, or cancelled but still in its
    /// final-metering hour. By account id or by CustomerIdentifier; optionally a given license.
    pub fn meterable_license(
        &self,
        product_code: &str,
        customer: &str,
        by_account: bool,
        license_arn: Option<&str>,
    ) -> AwsResult<Option<String>> {
        let index = self.meterable_index(product_code)?;
        let map = if by_account {
            &index.by_account
        } else {
            &index.by_customer
        };
        Ok(map.get(customer).and_then(|arns| {
            arns.iter()
                .find(|a| license_arn.is_none_or(|l| l == a.as_str()))
                .cloned()
        }))
    }

    fn meterable_index(&self, product_code: &str) -> AwsResult<Arc<Meterable>> {
        if let Some(m) = self
            .meterable
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(product_code)
        {
            return Ok(m.clone());
        }
        // Built under the connection lock, which put_license holds while it writes and drops
        // the product's index: an index can never miss a write.
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT license_arn, customer_identifier, customer_aws_account_id FROM licenses
                 WHERE product_code = ?1 AND meterable = 1 ORDER BY rowid",
            )?;
            let mut index = Meterable::default();
            let mut rows = st.query([product_code])?;
            while let Some(r) = rows.next()? {
                let arn: String = r.get(0)?;
                index
                    .by_customer
                    .entry(r.get(1)?)
                    .or_default()
                    .push(arn.clone());
                index.by_account.entry(r.get(2)?).or_default().push(arn);
            }
            let index = Arc::new(index);
            self.meterable
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(product_code.to_string(), index.clone());
            Ok(index)
        })
    }

    pub fn licenses_for_product(&self, product_code: &str) -> AwsResult<Vec<License>> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT doc FROM licenses WHERE product_code = ?1 ORDER BY rowid",
            )?;
            let rows = st.query_map([product_code], |r| r.get::<_, String>(0))?;
            Ok(rows
                .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
                .collect())
        })
    }

    pub fn license(&self, arn: &str) -> AwsResult<Option<License>> {
        self.with(|c| {
            let doc: Option<String> = c
                .prepare_cached("SELECT doc FROM licenses WHERE license_arn = ?1")?
                .query_row([arn], |r| r.get(0))
                .optional()?;
            Ok(doc.and_then(|d| serde_json::from_str(&d).ok()))
        })
    }

    pub fn put_token(&self, token: &str, license_arn: &str, expires: i64) -> AwsResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO tokens (token, license_arn, expires) VALUES (?1, ?2, ?3)",
                params![token, license_arn, expires],
            )?;
            Ok(())
        })
    }

    pub fn token(&self, token: &str) -> AwsResult<Option<(String, i64)>> {
        self.with(|c| {
            c.query_row(
                "SELECT license_arn, expires FROM tokens WHERE token = ?1",
                [token],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
    }

    // ---- metering --------------------------------------------------------------------------

    /// Inserts records in one transaction. For each record: `Ok(())` when new, or the id and
    /// quantity of the record already stored for the same product, customer, dimension and hour.
    pub fn insert_metering(
        &self,
        rows: &[&MeteringRow],
        received: i64,
    ) -> AwsResult<Vec<Result<(), (String, i64)>>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(rows.len());
            {
                let mut ins = tx.prepare_cached(
                    "INSERT OR IGNORE INTO metering (record_id, product_code, customer, dimension, ts, hour, quantity, license_arn, received)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5 / 3600, ?6, ?7, ?8)",
                )?;
                // AWS de-duplicates per customer, dimension and hour.
                let mut existing = tx.prepare_cached(
                    "SELECT record_id, quantity FROM metering WHERE product_code = ?1 AND customer = ?2 AND dimension = ?3 AND hour = ?4 / 3600",
                )?;
                for r in rows {
                    let n = ins.execute(params![
                        r.record_id,
                        r.product_code,
                        r.customer,
                        r.dimension,
                        r.timestamp,
                        r.quantity,
                        r.license_arn,
                        received
                    ])?;
                    if n == 1 {
                        out.push(Ok(()));
                    } else {
                        let prior = existing.query_row(
                            params![r.product_code, r.customer, r.dimension, r.timestamp],
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )?;
                        out.push(Err(prior));
                    }
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    pub fn metering(&self) -> AwsResult<Vec<MeteringRow>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT record_id, product_code, customer, dimension, ts, quantity, license_arn FROM metering ORDER BY received, rowid",
            )?;
            let rows = st.query_map([], |r| {
                Ok(MeteringRow {
                    record_id: r.get(0)?,
                    product_code: r.get(1)?,
                    customer: r.get(2)?,
                    dimension: r.get(3)?,
                    timestamp: r.get(4)?,
                    quantity: r.get(5)?,
                    license_arn: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    // ---- offers (created through change sets) -----------------------------------------------

    pub fn put_offer(&self, o: &Offer) -> AwsResult<()> {
        let doc = serde_json::to_string(o).unwrap_or_default();
        self.with(|c| {
            c.execute(
                "INSERT INTO offers (id, product_id, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET product_id = excluded.product_id, doc = excluded.doc",
                params![o.id, o.product_id, doc],
            )?;
            Ok(())
        })
    }

    pub fn offer(&self, id: &str) -> AwsResult<Option<Offer>> {
        self.with(|c| {
            let doc: Option<String> = c
                .query_row("SELECT doc FROM offers WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            Ok(doc.and_then(|d| serde_json::from_str(&d).ok()))
        })
    }

    pub fn offers(&self) -> AwsResult<Vec<Offer>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT doc FROM offers ORDER BY id")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
                .collect())
        })
    }

    // ---- change sets -----------------------------------------------------------------------

    pub fn put_change_set(&self, id: &str, started: i64, doc: &Value) -> AwsResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO change_sets (id, started, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                params![id, started, doc.to_string()],
            )?;
            Ok(())
        })
    }

    pub fn change_set(&self, id: &str) -> AwsResult<Option<Value>> {
        self.with(|c| {
            let doc: Option<String> = c
                .query_row("SELECT doc FROM change_sets WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            Ok(doc.and_then(|d| serde_json::from_str(&d).ok()))
        })
    }

    pub fn change_sets(&self) -> AwsResult<Vec<Value>> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT doc FROM change_sets ORDER BY started DESC, rowid DESC")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows
                .filter_map(|d| d.ok().and_then(|d| serde_json::from_str(&d).ok()))
                .collect())
        })
    }

    // ---- trail -----------------------------------------------------------------------------

    pub fn record_trail(&self, row: &TrailRow) -> AwsResult<()> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO trail (event_id, event_name, event_source, event_time, access_key, read_only, request, response)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                row.event_id,
                row.event_name,
                row.event_source,
                row.event_time,
                row.access_key,
                row.read_only,
                row.request,
                row.response
            ])?;
            // The call log keeps the newest rows only: every signed call adds one, and a
            // client in a loop must not fill the disk. Trimmed every TRIM_EVERY calls rather
            // than on each (a delete per metering call was a tenth of its cost); readers see
            // only the newest MAX_TRAIL_ROWS in between.
            if c.last_insert_rowid() % TRIM_EVERY == 0 {
                c.prepare_cached(
                    "DELETE FROM trail WHERE seq <= (SELECT MAX(seq) FROM trail) - ?1",
                )?
                .execute(params![MAX_TRAIL_ROWS as i64])?;
            }
            Ok(())
        })
    }

    /// One page of the trail, newest first: the calls in `[start, end]` (epoch seconds) matching
    /// `filter`, `max` of them after skipping `skip`, and whether more follow. `None` when
    /// `skip` is past the end. Filtered and paged in SQL, so a page costs what it holds, not
    /// the whole trail.
    pub fn trail_page(
        &self,
        filter: Option<&TrailFilter>,
        start: Option<i64>,
        end: Option<i64>,
        skip: usize,
        max: usize,
    ) -> AwsResult<Option<(Vec<TrailRow>, bool)>> {
        let (attr, value) = match filter {
            // Every form names ?3, so both statements take the same parameters.
            None => ("?3 IS NULL", None),
            Some(f) => (f.clause(), Some(f.value.as_str())),
        };
        // With a start time the time index finds the few recent calls; without one, the
        // newest-first scan stops as soon as the page is full. Each bound is written only when
        // given (an `OR` would keep SQLite from using the index); ?1 and ?2 are always named so
        // every form takes the same parameters.
        let (from, since) = match start {
            Some(_) => ("trail INDEXED BY trail_by_time", "event_time >= ?1"),
            None => ("trail", "?1 IS NULL"),
        };
        let until = match end {
            Some(_) => "event_time <= ?2",
            None => "?2 IS NULL",
        };
        let cond = format!("{since} AND {until} AND {attr} AND {TRAIL_KEPT}");
        let skip_i = i64::try_from(skip).unwrap_or(i64::MAX);
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT event_id, event_name, event_source, event_time, access_key, read_only, request, response
                 FROM {from} WHERE {cond} ORDER BY seq DESC LIMIT ?4 OFFSET ?5"
            ))?;
            let mut rows: Vec<TrailRow> = st
                .query_map(params![start, end, value, max as i64 + 1, skip_i], trail_row)?
                .collect::<rusqlite::Result<_>>()?;
            if rows.is_empty() && skip > 0 {
                // An empty page is the end, or a token past it (one this sandbox never issued).
                let total: i64 = c
                    .prepare_cached(&format!("SELECT COUNT(*) FROM {from} WHERE {cond}"))?
                    .query_row(params![start, end, value], |r| r.get(0))?;
                if skip > usize::try_from(total).unwrap_or(0) {
                    return Ok(None);
                }
            }
            let more = rows.len() > max;
            rows.truncate(max);
            Ok(Some((rows, more)))
        })
    }

    /// Newest first.
    pub fn trail(&self) -> AwsResult<Vec<TrailRow>> {
        self.with(|c| {
            let mut st = c.prepare(
                &format!("SELECT event_id, event_name, event_source, event_time, access_key, read_only, request, response
                 FROM trail WHERE {TRAIL_KEPT} ORDER BY seq DESC"),
            )?;
            let rows = st.query_map([], trail_row)?;
            rows.collect()
        })
    }
}
