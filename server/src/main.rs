use std::process::ExitCode;

use server::{
    config::{Config, LogFormat},
    startup,
};
use tracing_subscriber::EnvFilter;

/// jemalloc, not glibc's allocator: a claim spent a fifth of the server's time in glibc's
/// malloc and free (20% less CPU a claim with jemalloc). Its freed pages go back to the system
/// within seconds, so the 19 MiB block a password hash takes is not kept by every blocking
/// thread that ever hashed (what glibc did).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let config = Config::load();
    init_logging(config.as_ref().map(|c| c.log_format).unwrap_or_default());
    let result = match config {
        Ok(config) => startup::serve(config).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stdout, filtered by `RUST_LOG`. In JSON, each line carries the spans it was written
/// in, the request's among them (its id, method and path).
fn init_logging(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .init(),
    }
}
