//! `webhooks inbox`: what a Redis or PostgreSQL store holds, and what to do with it.

use std::process::ExitCode;
use std::sync::Arc;

use tower_webhooks::store::{
    DeliveryStore, InboxStatus, PostgresStore, RedisStore, StoredDelivery,
};

use crate::error::Error;

/// Where the inbox is.
#[derive(Debug, clap::Args)]
pub(crate) struct Store {
    /// The store: `redis://host:6379/` or `postgres://user@host/db`.
    #[arg(long, value_name = "URL")]
    store: String,
    /// Redis: the key prefix (the gateway uses `webhooks:<route path with : for />`).
    #[arg(long, default_value = "webhooks")]
    prefix: String,
    /// PostgreSQL: the table.
    #[arg(long, default_value = "webhook_deliveries")]
    table: String,
}

/// Which deliveries.
#[derive(Debug, clap::Args)]
pub(crate) struct Filter {
    /// `pending` or `dead`.
    #[arg(long, default_value = "dead", value_parser = ["pending", "dead"])]
    status: String,
    /// Only those received since: unix seconds, or an age (`30m`, `2h`, `1d`).
    #[arg(long)]
    since: Option<String>,
}

/// Which deliveries a replay or a purge changes.
#[derive(Debug, clap::Args)]
pub(crate) struct Change {
    #[command(flatten)]
    store: Store,
    #[command(flatten)]
    filter: Filter,
    /// The delivery key; or --all.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    key: Option<String>,
    /// Every delivery the filter takes.
    #[arg(long)]
    all: bool,
    /// Prints the plan and changes nothing.
    #[arg(long)]
    dry_run: bool,
}

/// What to do.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Action {
    /// Lists deliveries, one line each.
    #[command(
        after_help = "Example:\n  webhooks inbox list --store redis://127.0.0.1:6379/ --prefix webhooks:webhooks:stripe --status dead --since 1d"
    )]
    List {
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        filter: Filter,
    },
    /// Shows one delivery whole: its facts, headers and body.
    #[command(
        after_help = "Example:\n  webhooks inbox show --store postgres://app@db/app stripe:evt_1"
    )]
    Show {
        #[command(flatten)]
        store: Store,
        /// The delivery key (`<provider>:<id>`, as `list` prints it).
        key: String,
    },
    /// Makes deliveries due now (a dead one gets one more attempt).
    #[command(
        after_help = "Examples:\n  webhooks inbox replay --store redis://127.0.0.1:6379/ stripe:evt_1\n  webhooks inbox replay --store redis://127.0.0.1:6379/ --all --status dead --dry-run"
    )]
    Replay(Change),
    /// Drops deliveries from the inbox for good (their keys stay done).
    #[command(
        after_help = "Example:\n  webhooks inbox purge --store redis://127.0.0.1:6379/ --all --status dead --since 30d --dry-run"
    )]
    Purge(Change),
}

pub(crate) fn run(action: Action) -> Result<ExitCode, Error> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|err| Error::runtime(format!("cannot start the runtime: {err}")))?;
    runtime.block_on(act(action))
}

async fn open(store: &Store) -> Result<Arc<dyn DeliveryStore>, Error> {
    // The URL is never echoed: it may carry a password.
    if store.store.starts_with("redis://") {
        let redis = RedisStore::connect(&store.store)
            .await
            .map_err(|err| Error::config(format!("--store: {err}")))?;
        return Ok(Arc::new(redis.with_prefix(store.prefix.clone())));
    }
    if store.store.starts_with("postgres://") || store.store.starts_with("postgresql://") {
        let postgres = PostgresStore::connect(&store.store)
            .map_err(|err| Error::config(format!("--store: {err}")))?;
        return Ok(Arc::new(postgres.with_table(&store.table)));
    }
    Err(Error::config(
        "--store must be redis://... or postgres://... (a memory store lives in its process)",
    ))
}

fn status(filter: &Filter) -> InboxStatus {
    if filter.status == "pending" {
        InboxStatus::Pending
    } else {
        InboxStatus::Dead
    }
}

/// `--since`: unix seconds, or an age before now.
fn since(filter: &Filter) -> Result<Option<i64>, Error> {
    let Some(text) = &filter.since else {
        return Ok(None);
    };
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(Some(seconds));
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    match number.parse::<i64>() {
        Ok(n) if scale > 0 => Ok(Some(crate::now() - n * scale)),
        _ => Err(Error::config(format!(
            "--since {text}: unix seconds, or an age such as 30m, 2h, 1d"
        ))),
    }
}

async fn listed(store: &dyn DeliveryStore, filter: &Filter) -> Result<Vec<StoredDelivery>, Error> {
    let since = since(filter)?;
    let all = store
        .inbox(status(filter), 100_000)
        .await
        .map_err(|err| Error::runtime(format!("the store: {err}")))?;
    Ok(all
        .into_iter()
        .filter(|d| since.is_none_or(|since| d.received_at >= since))
        .collect())
}

fn line(d: &StoredDelivery) -> String {
    format!(
        "{}  {}  type={}  attempts={}  received={}{}  error={}",
        d.key,
        d.status.as_str(),
        d.event_type.as_deref().unwrap_or("-"),
        d.attempts,
        d.received_at,
        d.next_attempt_at
            .map(|at| format!("  next={at}"))
            .unwrap_or_default(),
        d.last_error.as_deref().unwrap_or("-")
    )
}

async fn act(action: Action) -> Result<ExitCode, Error> {
    let unreachable =
        |err: tower_webhooks::store::StoreError| Error::runtime(format!("the store: {err}"));
    match action {
        Action::List { store, filter } => {
            let store = open(&store).await?;
            let deliveries = listed(store.as_ref(), &filter).await?;
            for delivery in &deliveries {
                println!("{}", line(delivery));
            }
            println!("{} {} deliveries", deliveries.len(), filter.status);
        }
        Action::Show { store, key } => {
            let store = open(&store).await?;
            let mut found = None;
            for status in [InboxStatus::Pending, InboxStatus::Dead] {
                let all = store.inbox(status, 100_000).await.map_err(unreachable)?;
                if let Some(delivery) = all.into_iter().find(|d| d.key == key) {
                    found = Some(delivery);
                    break;
                }
            }
            let Some(d) = found else {
                println!("{key}: not in the inbox");
                return Ok(ExitCode::from(1));
            };
            println!("{}", line(&d));
            println!("{} {}", d.method, d.uri);
            for (name, value) in &d.headers {
                println!("{name}: {}", String::from_utf8_lossy(value.as_bytes()));
            }
            println!();
            println!("{}", String::from_utf8_lossy(&d.body));
        }
        Action::Replay(change) => return apply(change, "replay").await,
        Action::Purge(change) => return apply(change, "purge").await,
    }
    Ok(ExitCode::SUCCESS)
}

/// Replays or purges one delivery, or every one the filter takes; with `dry_run`, says which.
async fn apply(change: Change, verb: &str) -> Result<ExitCode, Error> {
    let Change {
        store,
        filter,
        key,
        all,
        dry_run,
    } = change;
    let (store, filter) = (&store, &filter);
    let done_verb = if verb == "replay" {
        "replayed"
    } else {
        "purged"
    };
    let store = open(store).await?;
    let keys: Vec<String> = if all {
        listed(store.as_ref(), filter)
            .await?
            .into_iter()
            .map(|d| d.key)
            .collect()
    } else {
        key.into_iter().collect()
    };
    if dry_run {
        for key in &keys {
            println!("would {verb} {key}");
        }
        println!(
            "dry run: {} deliveries would be {verb}ed; nothing changed",
            keys.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    // A bar for long runs (drawn only on a terminal).
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(keys.len() as u64),
        if keys.len() > 1 {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    let mut missing = 0;
    for key in &keys {
        progress.inc(1);
        let done = if verb == "replay" {
            store.replay(key).await
        } else {
            store.purge(key).await
        }
        .map_err(|err| Error::runtime(format!("the store: {err}")))?;
        if done {
            println!("{done_verb} {key}");
        } else {
            missing += 1;
            println!("{key}: not in the inbox");
        }
    }
    progress.finish_and_clear();
    println!("{} deliveries {done_verb}", keys.len() - missing);
    Ok(if missing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
