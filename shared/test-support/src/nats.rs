//! A private NATS server per test.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::Context as _;

/// A `nats-server` child process; killed on drop, its store removed with it.
pub struct NatsServer {
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub async fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        let store = tempfile::tempdir()?;
        let mut server = Self {
            port,
            store,
            child: None,
        };
        server.spawn().await?;
        Ok(server)
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server at once (no clean shutdown), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same store.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        self.spawn().await
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let config = self.store.path().join("nats.conf");
        let store_dir = self.store.path().join("jetstream");
        std::fs::write(
            &config,
            format!(
                "listen: 127.0.0.1:{}\njetstream {{\n  store_dir: {:?}\n  sync_interval: always\n}}\n",
                self.port, store_dir
            ),
        )?;
        let log = std::fs::File::create(self.store.path().join("nats.log"))?;
        let child = Command::new(binary()?)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting nats-server")?;
        self.child = Some(child);
        let url = self.url();
        for _ in 0..250 {
            if let Ok(client) = async_nats::connect(&url).await {
                drop(client);
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        anyhow::bail!("nats-server did not come up on {url}")
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The pinned server installed by `deploy/scripts/install-nats.sh`, or `$PRISM_NATS_SERVER`.
/// Never the machine's own `nats-server`: it may be too old.
fn binary() -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var("PRISM_NATS_SERVER") {
        return Ok(PathBuf::from(path));
    }
    let installed = crate::workspace_root().join(".tools/bin/nats-server");
    anyhow::ensure!(
        installed.exists(),
        "no pinned nats-server: run deploy/scripts/install-nats.sh or set PRISM_NATS_SERVER"
    );
    Ok(installed)
}

/// A port nobody listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
