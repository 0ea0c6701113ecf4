//! Long-lived event streams served without hyper's per-connection buffers.
//!
//! hyper keeps an 8 KiB read buffer and an 8 KiB write buffer for every connection it serves
//! (hyper 1.x, `proto/h1/io.rs`, `INIT_BUFFER_SIZE`), for as long as the connection is open.
//! A regulator's event stream stays open for hours and is idle nearly all of that time, and
//! notification's budget is 16 KiB per idle connection in all. So this listener reads each
//! new connection's first request head itself. A complete `GET` of a streaming path, with no
//! body, is answered by the service's whole router (every layer: auth, tracing, metrics,
//! problems), and the response is written here, chunked, on a connection that then closes.
//! Every other connection goes to hyper, which first reads the bytes already taken.
//!
//! A handler that finds [`Lean`] in its request may also answer with a [`Takeover`]: the
//! body it gives is then written first, and the connection itself is handed to the takeover
//! for the rest of its life. Notification's fan-out writes each event straight into the
//! sockets that way, instead of waking one task per connection to poll a body.

use std::{
    io::{self, Write as _},
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, SystemTime},
};

use axum::{
    body::{Body, HttpBody as _},
    extract::Request,
    Router,
};
use futures::{future::BoxFuture, StreamExt as _};
use http::{header, HeaderName, HeaderValue, Method, Uri, Version};
use tokio::{
    io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::mpsc,
};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

/// The most of a request head read before deciding; a longer head goes to hyper (which
/// refuses it).
const MAX_HEAD: usize = 16 * 1024;
/// How long a new connection may take to send its request head before hyper gets it.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Response headers about framing, which this module writes itself.
const FRAMING: [HeaderName; 3] = [
    header::CONNECTION,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
];

/// In the extensions of a request answered here: the handler may give a [`Takeover`].
#[derive(Clone, Copy, Debug)]
pub struct Lean;

/// In a response's extensions, honoured only for requests that carried [`Lean`]: once the
/// response head and its (finite) body are written, the connection is handed to this,
/// which owns it from then on (the chunked framing included) until it returns. A response
/// whose head or body cannot be written drops the takeover unrun.
#[derive(Clone)]
pub struct Takeover(Arc<Mutex<Option<Continuation>>>);

type Continuation = Box<dyn FnOnce(TcpStream) -> BoxFuture<'static, ()> + Send>;

impl Takeover {
    pub fn new(
        continuation: impl FnOnce(TcpStream) -> BoxFuture<'static, ()> + Send + 'static,
    ) -> Self {
        Self(Arc::new(Mutex::new(Some(Box::new(continuation)))))
    }

    fn take(&self) -> Option<Continuation> {
        self.0.lock().ok()?.take()
    }
}

/// A listener for `axum::serve` that answers streaming requests itself and passes every
/// other connection on.
pub struct LeanListener {
    accepted: mpsc::Receiver<(Replay, SocketAddr)>,
    local: SocketAddr,
}

/// Starts accepting on `listener`: `GET` requests for one of `paths` are answered with
/// `app`; the rest come out of the returned listener. Streams end when `shutdown` is
/// cancelled.
pub fn listen(
    listener: TcpListener,
    app: Router,
    paths: &'static [&'static str],
    shutdown: CancellationToken,
) -> io::Result<LeanListener> {
    let local = listener.local_addr()?;
    let (sender, accepted) = mpsc::channel(256);
    tokio::spawn(async move {
        loop {
            let (stream, peer) = tokio::select! {
                () = shutdown.cancelled() => return,
                () = sender.closed() => return,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, mostly: wait for some to be freed.
                        tracing::warn!(error = %error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let (app, sender, shutdown) = (app.clone(), sender.clone(), shutdown.clone());
            tokio::spawn(async move {
                match sniff(stream, paths).await {
                    Sniffed::Stream(stream, request) => {
                        tokio::select! {
                            _ = respond(stream, *request, app) => {}
                            () = shutdown.cancelled() => {}
                        }
                    }
                    Sniffed::Other(replay) => {
                        let _ = sender.send((replay, peer)).await;
                    }
                    Sniffed::Gone => {}
                }
            });
        }
    });
    Ok(LeanListener { accepted, local })
}

impl axum::serve::Listener for LeanListener {
    type Io = Replay;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Replay, SocketAddr) {
        match self.accepted.recv().await {
            Some(connection) => connection,
            // Accepting stopped (shutdown): the server stops asking.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// What a new connection turned out to be.
enum Sniffed {
    /// A streaming request, complete, to be answered here.
    Stream(TcpStream, Box<Request>),
    /// Anything else: hyper's.
    Other(Replay),
    /// Closed before it sent anything.
    Gone,
}

async fn sniff(mut stream: TcpStream, paths: &[&str]) -> Sniffed {
    let mut head = Vec::with_capacity(1024);
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    loop {
        let read = tokio::time::timeout_at(deadline, stream.read_buf(&mut head)).await;
        match read {
            Ok(Ok(0)) | Ok(Err(_)) if head.is_empty() => return Sniffed::Gone,
            Ok(Ok(n)) if n > 0 => {}
            // Timed out, or closed half-way: hyper answers (or times out) as it would.
            _ => return Sniffed::Other(Replay::new(head, stream)),
        }
        match parse(&head, paths) {
            Head::Lean(request) => return Sniffed::Stream(stream, request),
            Head::Partial if head.len() < MAX_HEAD => continue,
            Head::Partial | Head::Other => return Sniffed::Other(Replay::new(head, stream)),
        }
    }
}

enum Head {
    Lean(Box<Request>),
    Partial,
    Other,
}

/// Whether `bytes` are a complete streaming request and nothing more.
fn parse(bytes: &[u8], paths: &[&str]) -> Head {
    const GET: &[u8] = b"GET ";
    let start = bytes.len().min(GET.len());
    if bytes[..start] != GET[..start] {
        return Head::Other;
    }
    let mut headers = [httparse::EMPTY_HEADER; 48];
    let mut parsed = httparse::Request::new(&mut headers);
    let length = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Head::Partial,
        Err(_) => return Head::Other,
    };
    let (Some(target), Some(1)) = (parsed.path, parsed.version) else {
        return Head::Other;
    };
    let path = target.split('?').next().unwrap_or(target);
    // Pipelined bytes after the head, or a body, are hyper's to handle.
    if length != bytes.len() || !paths.contains(&path) {
        return Head::Other;
    }
    let Ok(uri) = target.parse::<Uri>() else {
        return Head::Other;
    };
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.version_mut() = Version::HTTP_11;
    for field in parsed.headers.iter() {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(field.name.as_bytes()),
            HeaderValue::from_bytes(field.value),
        ) else {
            return Head::Other;
        };
        let carries_body = (name == header::CONTENT_LENGTH && value != "0")
            || name == header::TRANSFER_ENCODING
            || name == header::UPGRADE
            || name == header::EXPECT;
        if carries_body {
            return Head::Other;
        }
        request.headers_mut().append(name, value);
    }
    Head::Lean(Box::new(request))
}

/// Answers `request` with `app` and writes the response: chunked unless its length is
/// known, then closes. Ends early when the peer hangs up.
async fn respond(mut stream: TcpStream, mut request: Request, app: Router) -> io::Result<()> {
    // Events are small and must not wait for the peer's acknowledgement of the last one.
    let _ = stream.set_nodelay(true);
    request.extensions_mut().insert(Lean);
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (mut parts, body) = response.into_parts();
    let takeover = parts.extensions.remove::<Takeover>();
    let length = body.size_hint().exact();
    {
        let mut head = Vec::with_capacity(512);
        head.extend_from_slice(b"HTTP/1.1 ");
        head.extend_from_slice(parts.status.as_str().as_bytes());
        head.push(b' ');
        head.extend_from_slice(parts.status.canonical_reason().unwrap_or("").as_bytes());
        head.extend_from_slice(b"\r\n");
        for (name, value) in &parts.headers {
            if !FRAMING.contains(name) {
                field(&mut head, name.as_str(), value.as_bytes());
            }
        }
        if !parts.headers.contains_key(header::DATE) {
            let date = httpdate::fmt_http_date(SystemTime::now());
            field(&mut head, "date", date.as_bytes());
        }
        match length {
            Some(length) => field(&mut head, "content-length", length.to_string().as_bytes()),
            None => field(&mut head, "transfer-encoding", b"chunked"),
        }
        field(&mut head, "connection", b"close");
        head.extend_from_slice(b"\r\n");
        stream.write_all(&head).await?;
    }
    if !write_body(&mut stream, body, length).await? {
        return Ok(());
    }
    // The takeover writes chunks of its own: a body of known length has no room for them.
    if takeover.is_some() && length.is_some() {
        tracing::warn!(
            "a takeover came with a body of known length; the connection closes instead"
        );
    }
    let continuation = takeover.filter(|_| length.is_none()).and_then(|t| t.take());
    if let Some(continuation) = continuation {
        continuation(stream).await;
        return Ok(());
    }
    if length.is_none() {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    stream.shutdown().await
}

/// Writes `body`, chunked unless its `length` is known. False when the connection is done
/// with: the peer hung up, or the body failed (then the last chunk is left out, so that the
/// peer sees the response cut).
async fn write_body(stream: &mut TcpStream, body: Body, length: Option<u64>) -> io::Result<bool> {
    let (mut reader, mut writer) = stream.split();
    let mut data = body.into_data_stream();
    let mut probe = [0_u8; 32];
    // One buffer per event, written in one call, and the same buffer for every event: this
    // runs once per connection for every event fanned out.
    let mut framed = Vec::new();
    loop {
        tokio::select! {
            chunk = data.next() => match chunk {
                Some(Ok(bytes)) if bytes.is_empty() => {}
                Some(Ok(bytes)) if length.is_some() => writer.write_all(&bytes).await?,
                Some(Ok(bytes)) => {
                    framed.clear();
                    write!(framed, "{:X}\r\n", bytes.len())?;
                    framed.extend_from_slice(&bytes);
                    framed.extend_from_slice(b"\r\n");
                    writer.write_all(&framed).await?;
                }
                Some(Err(_)) => return Ok(false),
                None => return Ok(true),
            },
            // A stream's peer sends nothing more; end of input means it hung up.
            read = reader.read(&mut probe) => match read {
                Ok(0) | Err(_) => return Ok(false),
                Ok(_) => {}
            },
        }
    }
}

fn field(head: &mut Vec<u8>, name: &str, value: &[u8]) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value);
    head.extend_from_slice(b"\r\n");
}

/// A connection handed to hyper with the bytes already read from it in front.
pub struct Replay {
    head: Vec<u8>,
    replayed: usize,
    stream: TcpStream,
}

impl Replay {
    fn new(head: Vec<u8>, stream: TcpStream) -> Self {
        Self {
            head,
            replayed: 0,
            stream,
        }
    }
}

impl AsyncRead for Replay {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replayed < this.head.len() {
            let n = buf.remaining().min(this.head.len() - this.replayed);
            buf.put_slice(&this.head[this.replayed..this.replayed + n]);
            this.replayed += n;
            if this.replayed == this.head.len() {
                // Free it: the connection may stay open for long.
                this.head = Vec::new();
                this.replayed = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replay {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATHS: &[&str] = &["/v1/stream"];

    #[test]
    fn a_complete_stream_request_is_lean() {
        let head = b"GET /v1/stream?x=1 HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 7\r\n\r\n";
        let Head::Lean(request) = parse(head, PATHS) else {
            panic!("not lean");
        };
        assert_eq!(request.uri().path(), "/v1/stream");
        assert_eq!(request.uri().query(), Some("x=1"));
        assert_eq!(request.headers()["last-event-id"], "7");
    }

    #[test]
    fn everything_else_goes_to_hyper() {
        let other = [
            &b"POST /v1/stream HTTP/1.1\r\n\r\n"[..],
            b"GET /v1/alerts HTTP/1.1\r\n\r\n",
            b"GET /v1/stream HTTP/1.0\r\n\r\n",
            b"GET /v1/stream HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            b"GET /v1/stream HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n",
            b"GET /v1/stream HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ];
        for head in other {
            assert!(
                matches!(parse(head, PATHS), Head::Other),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn a_head_cut_short_waits_for_more() {
        for head in [
            &b"GE"[..],
            b"GET /v1/str",
            b"GET /v1/stream HTTP/1.1\r\nHost: a\r\n",
        ] {
            assert!(matches!(parse(head, PATHS), Head::Partial));
        }
    }
}
