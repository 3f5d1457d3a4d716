//! The no-Docker cluster's mail catcher (compose runs Mailpit): an SMTP server that writes
//! every message it accepts into a folder, one `.eml` file each, numbered in arrival order.
//!
//!     mailsink --listen 127.0.0.1:8105 --dir /var/tmp/foodbridge-cluster/mail

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
};

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut listen = "127.0.0.1:1025".to_owned();
    let mut dir = PathBuf::from("mail");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs an address")?,
            "--dir" => dir = args.next().ok_or("--dir needs a folder")?.into(),
            other => {
                return Err(format!("unknown argument {other} (--listen ADDR --dir DIR)").into());
            }
        }
    }
    std::fs::create_dir_all(&dir)?;
    let listener = TcpListener::bind(&listen).await?;
    println!(
        "mailsink: SMTP on {listen}, messages into {}",
        dir.display()
    );
    // Numbering goes on after the files already there (a restarted catcher keeps them).
    let count = AtomicU64::new(std::fs::read_dir(&dir)?.count() as u64);
    testkit::smtp::serve(listener, move |message| {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        let path = dir.join(format!("{n:08}.eml"));
        if let Err(e) = std::fs::write(&path, message.raw) {
            eprintln!("mailsink: cannot write {}: {e}", path.display());
        }
    });
    std::future::pending::<()>().await;
    Ok(())
}
