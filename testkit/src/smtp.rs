//! A small SMTP server that accepts every message (mailin's protocol state machine), for the
//! email tests and as the no-Docker cluster's mail catcher (`mailsink`).

use std::{io, net::IpAddr, sync::Arc};

use mailin::{Action, Handler, Response, SessionBuilder, response};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: String,
}

impl Received {
    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}: ");
        self.raw.lines().find_map(|line| line.strip_prefix(&prefix))
    }
}

type Deliver = Arc<dyn Fn(Received) + Send + Sync>;

/// Accepts connections on `listener` (in a task of its own) and hands each message to
/// `deliver`. Mail to `nobody@…` is refused: no such mailbox.
pub fn serve(listener: TcpListener, deliver: impl Fn(Received) + Send + Sync + 'static) {
    let deliver: Deliver = Arc::new(deliver);
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let sink = Sink {
                deliver: deliver.clone(),
                to: Vec::new(),
                data: Vec::new(),
            };
            tokio::spawn(session(stream, peer.ip(), sink));
        }
    });
}

#[derive(Clone)]
struct Sink {
    deliver: Deliver,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        (self.deliver)(Received {
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
        });
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if to.contains("nobody@") {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }
}

/// One SMTP connection: mailin's state machine answers each line the client sends.
async fn session(stream: TcpStream, ip: IpAddr, sink: Sink) -> io::Result<()> {
    let mut session = SessionBuilder::new("mailsink.localhost").build(ip, sink);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Close => return write.write_all(&response.buffer()?).await,
            _ => write.write_all(&response.buffer()?).await?,
        }
    }
}
