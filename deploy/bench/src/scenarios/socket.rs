//! The subscribers' side of their sockets: the runtime their connections live on, and the
//! kernel's stamp of when each read's bytes arrived.

use std::{
    os::fd::{AsFd, AsRawFd as _},
    sync::{
        atomic::{AtomicBool, Ordering},
        OnceLock,
    },
    time::{Duration, SystemTime},
};

use nix::sys::socket::{
    recvmsg, setsockopt, sockopt::ReceiveTimestampns, ControlMessageOwned, MsgFlags,
};

/// The `SCHED_FIFO` priority of the subscribers' threads unless
/// `PRISM_BENCH_SUBSCRIBER_PRIORITY` says otherwise (0: the normal policy, to compare):
/// below PRISM's urgent threads (`PRISM_URGENT_PRIORITY`, 10), above everything else.
const SUBSCRIBER_PRIORITY: u8 = 5;

/// The subscribers' priority asked for, and whether every thread that asked got it.
static RUNS_FIRST: AtomicBool = AtomicBool::new(true);

/// How the subscribers' threads are scheduled, for the outcome's record.
pub fn scheduling() -> String {
    match priority() {
        0 => "normal".to_owned(),
        p if RUNS_FIRST.load(Ordering::Relaxed) => format!("SCHED_FIFO {p}"),
        p => format!("normal (SCHED_FIFO {p} refused)"),
    }
}

fn priority() -> u8 {
    std::env::var("PRISM_BENCH_SUBSCRIBER_PRIORITY")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(SUBSCRIBER_PRIORITY, |p: u8| p.min(99))
}

/// The subscribers' runtime, made once for the process. Its threads run under `SCHED_FIFO`
/// where the machine allows it, standing in for regulators' machines of their own: on the
/// shared processors the reads otherwise waited behind the stack's routine work and this
/// benchmark's load generator, and the latency counted that wait.
pub fn runtime() -> tokio::runtime::Handle {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let priority = priority();
            tokio::runtime::Builder::new_multi_thread()
                .thread_name("subscribers")
                .enable_all()
                .on_thread_start(move || {
                    if priority > 0 && prism_runtime::priority::urgent::run_first(priority).is_err()
                    {
                        RUNS_FIRST.store(false, Ordering::Relaxed);
                    }
                })
                .build()
                .unwrap_or_else(|error| panic!("the subscribers' runtime: {error}"))
        })
        .handle()
        .clone()
}

/// Asks the kernel to stamp each segment as it reaches `socket`.
pub fn stamp_arrivals(socket: &impl AsFd) -> std::io::Result<()> {
    Ok(setsockopt(socket, ReceiveTimestampns, &true)?)
}

/// Waits for `stream` to hold something and reads it, with its stamp ([`receive`]); 0 bytes
/// at the end of the stream. Cancel-safe: nothing is read until the read returns.
pub async fn read_stamped(
    stream: &tokio::net::TcpStream,
    buffer: &mut [u8],
) -> std::io::Result<(usize, Option<SystemTime>)> {
    loop {
        stream.readable().await?;
        match stream.try_io(tokio::io::Interest::READABLE, || receive(stream, buffer)) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) => {}
            read => return read,
        }
    }
}

/// Reads what the socket holds, with the kernel's stamp of the last segment read. Segments
/// that lay in the socket together come out in one read with the later stamp, so the stamp
/// can only be late, never early.
pub fn receive(
    socket: &impl AsFd,
    buffer: &mut [u8],
) -> std::io::Result<(usize, Option<SystemTime>)> {
    let mut space = nix::cmsg_space!(nix::sys::time::TimeSpec);
    let mut slices = [std::io::IoSliceMut::new(buffer)];
    let message = recvmsg::<()>(
        socket.as_fd().as_raw_fd(),
        &mut slices,
        Some(&mut space),
        MsgFlags::empty(),
    )?;
    let arrived = message.cmsgs().ok().and_then(|mut messages| {
        messages.find_map(|message| match message {
            ControlMessageOwned::ScmTimestampns(at) => Some(
                SystemTime::UNIX_EPOCH
                    + Duration::new(
                        u64::try_from(at.tv_sec()).ok()?,
                        u32::try_from(at.tv_nsec()).ok()?,
                    ),
            ),
            _ => None,
        })
    });
    Ok((message.bytes, arrived))
}
