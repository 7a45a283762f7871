//! A fault-injecting TCP proxy between a device and the server. It understands just enough
//! HTTP/1.1 (headers, Content-Length) to break things at the worst moment: refuse
//! connections, stall, cut a request half way through its body, or let the server store a
//! batch and then lose its answer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub struct Faults {
    /// Close every new connection at once.
    pub refuse: bool,
    /// Accept and read, never answer.
    pub stall: bool,
    /// Cut this many of the next requests after half their body (the server never sees the end).
    pub cut_requests: u32,
    /// Let the server's answer to a cut request through (as when the cut is between a
    /// middlebox and the server): the device gets the HTTP layer's 400, not a verdict.
    pub answer_cut_requests: bool,
    /// Swallow this many of the next responses: the server did the work, the device never hears.
    pub lose_responses: u32,
    /// Rewrite this many of the next push answers to leave one sent revision unaccounted
    /// for (a confused server or middlebox).
    pub forge_push_answers: u32,
    /// After this many responses have been delivered, behave as `refuse` (cuts live connections too).
    pub refuse_after_responses: Option<u64>,
    /// Cut every connection once this many bytes have gone up it (a poor link that drops
    /// after a megabyte): the request in flight is cut off and no answer comes back.
    pub cut_connections_after: Option<u64>,
    pub connections_cut: u64,
    /// Request body bytes that went up to the server, cut ones included.
    pub body_bytes_up: u64,
    /// Responses delivered so far.
    pub delivered: u64,
    pub requests_cut: u64,
    pub responses_lost: u64,
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub faults: Arc<Mutex<Faults>>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let f = faults.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let f = f.clone();
                tokio::spawn(async move { handle(client, upstream, f).await });
            }
        });
        Proxy { addr, faults }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.faults.lock().unwrap());
    }

    pub fn get<T>(&self, read: impl FnOnce(&Faults) -> T) -> T {
        read(&self.faults.lock().unwrap())
    }
}

fn refusing(f: &Faults) -> bool {
    f.refuse || f.refuse_after_responses.is_some_and(|n| f.delivered >= n)
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, faults: Arc<Mutex<Faults>>) {
    let (refuse, stall) = {
        let f = faults.lock().unwrap();
        (refusing(&f), f.stall)
    };
    if refuse {
        return;
    }
    if stall {
        let mut sink = [0u8; 4096];
        while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, mut cw) = client.into_split();
    let (sr, mut sw) = server.into_split();
    let f1 = faults.clone();
    // Set when a request is cut: the link is gone both ways, so no answer gets back either.
    let dead = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dead_up = dead.clone();
    let up = tokio::spawn(async move {
        let mut cr = BufReader::new(cr);
        let mut carried = 0u64;
        while let Some((head, body)) = read_message(&mut cr).await {
            let limit = f1.lock().unwrap().cut_connections_after;
            if let Some(limit) = limit {
                let total = (head.len() + body.len()) as u64;
                if carried + total > limit {
                    // The link drops part way through this message.
                    dead_up.store(true, std::sync::atomic::Ordering::SeqCst);
                    let room = (limit - carried) as usize;
                    let head_part = room.min(head.len());
                    let body_part = (room - head_part).min(body.len());
                    {
                        let mut f = f1.lock().unwrap();
                        f.connections_cut += 1;
                        f.body_bytes_up += body_part as u64;
                    }
                    let _ = sw.write_all(&head[..head_part]).await;
                    let _ = sw.write_all(&body[..body_part]).await;
                    return;
                }
                carried += total;
            }
            let (cut, answer) = {
                let mut f = f1.lock().unwrap();
                if refusing(&f) {
                    return;
                }
                if f.cut_requests > 0 && !body.is_empty() {
                    f.cut_requests -= 1;
                    f.requests_cut += 1;
                    (true, f.answer_cut_requests)
                } else {
                    (false, false)
                }
            };
            if sw.write_all(&head).await.is_err() {
                return;
            }
            if cut && !answer {
                dead_up.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            let end = if cut { body.len() / 2 } else { body.len() };
            f1.lock().unwrap().body_bytes_up += end as u64;
            if sw.write_all(&body[..end]).await.is_err() || cut {
                return;
            }
        }
    });
    let mut sr = BufReader::new(sr);
    while let Some((mut head, mut body)) = read_message(&mut sr).await {
        let forge = {
            let mut f = faults.lock().unwrap();
            let forge = f.forge_push_answers > 0;
            if forge {
                f.forge_push_answers -= 1;
            }
            forge
        };
        if forge {
            (head, body) = forge_push_answer(head, body);
        }
        {
            let mut f = faults.lock().unwrap();
            if refusing(&f) || dead.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            if f.lose_responses > 0 {
                f.lose_responses -= 1;
                f.responses_lost += 1;
                break;
            }
            f.delivered += 1;
        }
        if cw.write_all(&head).await.is_err() || cw.write_all(&body).await.is_err() {
            break;
        }
    }
    up.abort();
}

/// Reads one HTTP/1.1 message: the head (through the blank line) and a Content-Length body.
async fn read_message<R: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<R>) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if let Some(v) = text.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == b"\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; length];
    r.read_exact(&mut body).await.ok()?;
    Some((head, body))
}

/// Drops the last entry of `held` from a push answer and fixes the Content-Length.
fn forge_push_answer(head: Vec<u8>, body: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    use liaison_core::sync::protocol::{self, PushResponse};
    let Ok(mut answer) = protocol::decode::<PushResponse>(Some("zstd"), &body) else {
        return (head, body);
    };
    answer.held.pop();
    let body = protocol::encode(&answer).unwrap();
    let mut head = String::from_utf8_lossy(&head)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("content-length:") {
                format!("content-length: {}", body.len())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    head.push_str("\r\n\r\n");
    (head.into_bytes(), body)
}
