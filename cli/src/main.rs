//! `webhooks`: receive webhooks safely, from one binary built on `tower-webhooks`.
//!
//! - `webhooks serve --config webhooks.toml`: a receiving gateway (verify, deduplicate, forward).
//! - `webhooks sign`: the headers that sign a body, as the provider would send them.
//! - `webhooks send`: signed deliveries to a URL, one or many, with their latencies.
//! - `webhooks verify`: why a delivery verifies or not, step by step.
//! - `webhooks inbox list|show|replay|purge`: what a Redis or PostgreSQL store holds.
//! - `webhooks listen`: a local receiver that prints each delivery and may forward it.
//!
//! Exit codes: 0 success; 1 the check failed (`verify`: the delivery does not verify); 2 usage
//! (an unknown flag, a missing argument); 3 configuration (a config file, a provider, a secret);
//! 4 runtime (a port that cannot be bound, a server that cannot be reached).

mod config;
mod error;
mod forward;
mod inbox;
mod listen;
mod publish;
mod scheme;
mod secret;
mod send;
mod serve;
mod sign;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXIT_CODES: &str =
    "Exit codes: 0 success, 1 the check failed, 2 usage, 3 configuration, 4 runtime.";

/// Receive webhooks safely: a verifying gateway, and the tools around receiving.
#[derive(Debug, Parser)]
#[command(name = "webhooks", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where a provider's scheme and secret come from, for the commands that sign or verify.
#[derive(Debug, clap::Args)]
struct Provider {
    /// A preset's name (`stripe`, `github`, `ycloud`, ...) or a scheme document (`acme.toml`).
    #[arg(long, value_name = "NAME|FILE")]
    provider: String,
    /// The environment variable that holds the secret (never the secret itself).
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "secret_file",
        required_unless_present = "secret_file"
    )]
    secret_env: Option<String>,
    /// A file that holds the secret (its trailing newline is dropped).
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the receiving gateway a config file describes.
    #[command(
        after_help = "Example:\n  STRIPE_SECRET=whsec_... webhooks serve --config webhooks.toml\n\nSee the README's \"Gateway\" section for a complete webhooks.toml."
    )]
    Serve {
        /// The gateway's configuration (TOML).
        #[arg(long, default_value = "webhooks.toml")]
        config: PathBuf,
    },
    /// Prints the headers that sign a body read from standard input.
    #[command(
        after_help = "Example:\n  echo -n '{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}' | webhooks sign --provider stripe --secret-env STRIPE_SECRET"
    )]
    Sign {
        #[command(flatten)]
        provider: Provider,
        /// The signature time, unix seconds (default: now).
        #[arg(long)]
        timestamp: Option<i64>,
        /// The URL the delivery is sent to (for providers that sign it).
        #[arg(long, default_value = "/")]
        url: String,
    },
    /// Sends correctly signed deliveries (one, or many unique ones) and prints status and latency.
    #[command(
        after_help = "Examples:\n  webhooks send --provider stripe --secret-env STRIPE_SECRET --sample invoice.paid http://127.0.0.1:8080/webhooks/stripe\n  webhooks send --provider ycloud --secret-env YCLOUD_SECRET --body event.json --repeat 1000 --concurrency 32 http://127.0.0.1:8080/webhooks/ycloud\n\nWith --repeat, each body's top-level \"id\" is made unique. Exit 1 if any answer is not 2xx."
    )]
    Send {
        #[command(flatten)]
        provider: Provider,
        /// Where to send (http://).
        url: String,
        /// The body to sign and send.
        #[arg(long, conflicts_with = "sample")]
        body: Option<PathBuf>,
        /// The preset's sample body with this event type in it (`invoice.paid`), or in its type
        /// header for providers that send one (GitHub's `X-GitHub-Event`); `default` sends the
        /// sample as it is.
        #[arg(long, value_name = "EVENT")]
        sample: Option<String>,
        /// How many unique deliveries.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// How many at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// A local receiver for development: verifies, prints each delivery as a line, forwards.
    #[command(
        after_help = "Example:\n  webhooks listen --provider github --secret-env GITHUB_SECRET --port 3000 --forward http://localhost:8080/github"
    )]
    Listen {
        #[command(flatten)]
        provider: Provider,
        /// The local port (127.0.0.1).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Forwards each verified delivery here (http://); the provider gets its answer.
        #[arg(long)]
        forward: Option<String>,
    },
    /// Looks at a Redis or PostgreSQL store's inbox: list, show, replay, purge.
    Inbox {
        #[command(subcommand)]
        action: inbox::Action,
    },
    /// Explains why a delivery verifies or not: each step, and the most likely cause.
    #[command(
        after_help = "Example:\n  webhooks verify --provider stripe --secret-env STRIPE_SECRET --headers headers.txt --body body.json\n\nThe headers file holds `Name: value` lines (a request line first is skipped); the body file\nholds the raw bytes as received."
    )]
    Verify {
        #[command(flatten)]
        provider: Provider,
        /// The request's headers, one `Name: value` per line.
        #[arg(long)]
        headers: PathBuf,
        /// The raw body, as received.
        #[arg(long)]
        body: PathBuf,
        /// The URL the delivery was sent to (for providers that sign it).
        #[arg(long, default_value = "/")]
        url: String,
        /// The time to check at, unix seconds (default: now).
        #[arg(long)]
        now: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config } => serve::run(&config),
        Command::Sign {
            provider,
            timestamp,
            url,
        } => sign::run(&provider, timestamp, &url),
        Command::Send {
            provider,
            url,
            body,
            sample,
            repeat,
            concurrency,
        } => send::run(
            &provider,
            &send::Send {
                url,
                body,
                sample,
                repeat,
                concurrency,
            },
        ),
        Command::Inbox { action } => inbox::run(action),
        Command::Listen {
            provider,
            port,
            forward,
        } => listen::run(&provider, port, forward.as_deref()),
        Command::Verify {
            provider,
            headers,
            body,
            url,
            now,
        } => verify::run(&provider, &headers, &body, &url, now),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("webhooks: {err}");
            err.exit_code()
        }
    }
}

/// Now, in unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
