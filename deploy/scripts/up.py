#!/usr/bin/env python3
"""`make up`: PRISM on one machine, on SQLite, with demo data.

Installs the pinned NATS server, builds the release binaries, starts NATS and
the five services with their data under $PRISM_VAR (default <repo>/var), waits
until every service is ready, issues demo JWTs, seeds demo data on the first
run, writes $PRISM_VAR/stack.json and then watches the processes until SIGTERM
or Ctrl-C, which stop the services first and NATS last.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NATS_CONF = REPO / "deploy" / "nats" / "nats.conf"
# Port 4222 belongs to the machine's old system NATS: never ours.
FORBIDDEN_PORTS = {4222}
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0

# (binary and service name, env prefix, HTTP port), in start order.
SERVICES = [
    ("intake", "INTAKE", 8081),
    ("triage", "TRIAGE", 8082),
    ("assessment", "ASSESSMENT", 8083),
    ("warning-publication", "WARNING_PUBLICATION", 8084),
    ("notification", "NOTIFICATION", 8085),
]
BINARIES = [name for name, _, _ in SERVICES] + ["prismctl"]

# Demo people: stack.json key -> (JWT sub, roles, districts or None).
DEMO_PEOPLE = {
    "admin": ("demo-admin", "admin", None),
    "regulator": ("demo-regulator", "regulator", None),
    "publisher": ("demo-publisher", "publisher", None),
    "expert": ("demo-expert", "expert", None),
    # A district bureau (浦东新区): sees its district only.
    "district_regulator": ("demo-regulator-pudong", "regulator", "310115"),
}

DEMO_STATIONS = [
    {
        "code": "SH-EC-0001",
        "name": "沪购优选电商平台商品质量监测站",
        "kind": "ecommerce_platform",
        "districts": ["310115", "310104"],
        "contact": {"name": "陈晓婷", "phone": "13816620451"},
    },
    {
        "code": "SH-TI-0001",
        "name": "上海市消费品质量检验检测研究院",
        "kind": "testing_institution",
        "districts": ["310104", "310101"],
        "contact": {"name": "刘建国", "phone": "13901873326"},
    },
    {
        "code": "SH-HO-0001",
        "name": "浦东新区东方医院产品伤害监测点",
        "kind": "hospital",
        "districts": ["310115"],
        "contact": {"name": "张丽华", "phone": "13764019258"},
    },
]

# (index of the reporting station in DEMO_STATIONS, report body).
DEMO_REPORTS = [
    (
        0,
        {
            "kind": "routine",
            "product": "儿童电动滑板车",
            "category": "children_products",
            "enterprise_count": 2,
            "districts": ["310115"],
            "content": "近一个月平台收到多条差评，反映某两款儿童电动滑板车刹车失灵、下坡时无法减速，"
            "有儿童摔倒擦伤。",
            "analysis": "差评集中在刹车系统，疑似刹车片材质与结构设计缺陷。",
            "recommendation": "建议对相关企业产品开展监督抽查。",
            "source": "平台商品评价监测",
            "hazards": ["injury"],
            "reporter": {"name": "陈晓婷", "phone": "13816620451"},
        },
    ),
    (
        0,
        {
            "kind": "routine",
            "product": "移动电源（充电宝）",
            "enterprise_count": 1,
            "districts": ["310101"],
            "content": "消费者反映某品牌20000mAh移动电源充电时外壳明显发烫、鼓包，个别出现冒烟。",
            "hazards": ["fire"],
            "reporter": {"name": "陈晓婷", "phone": "13816620451"},
        },
    ),
    (
        1,
        {
            "kind": "routine",
            "product": "电热水壶",
            "enterprise_count": 3,
            "districts": ["310104"],
            "content": "委托检验中发现3家企业生产的电热水壶温控器失效，干烧时未能自动断电。",
            "analysis": "温控器选型不当，不符合 GB 4706.19 相关要求。",
            "recommendation": "建议通知企业排查同批次产品并整改。",
            "source": "委托检验",
            "hazards": ["fire"],
            "reporter": {"name": "刘建国", "phone": "13901873326"},
        },
    ),
    (
        2,
        {
            "kind": "important",
            "product": "儿童电动滑板车",
            "category": "children_products",
            "enterprise_count": 1,
            "districts": ["310115"],
            "content": "本院急诊一周内接诊3名因儿童电动滑板车刹车失灵摔伤的患儿，其中1人骨折。",
            "analysis": "伤情均发生在下坡路段，与刹车失效相关。",
            "recommendation": "建议尽快发布消费警示并约谈相关企业。",
            "source": "急诊伤害监测",
            "hazards": ["injury"],
            "casualties": {"deaths": 0, "injuries": 3},
            "reporter": {"name": "张丽华", "phone": "13764019258"},
        },
    ),
]

DEMO_WARNING = {
    "type": "risk_warning",
    "title_zh": "关于儿童电动滑板车刹车失灵风险的消费警示",
    "summary_zh": "近期本市监测发现部分儿童电动滑板车存在刹车失灵问题，已造成多名儿童受伤。",
    "advice_zh": "请家长检查刹车是否灵敏，避免儿童在坡道和机动车道使用电动滑板车，"
    "并为儿童佩戴头盔、护具；发现问题请停止使用并联系商家。",
    "level": "high",
    "category": "children_products",
    "districts": ["310115"],
}


class Shutdown(Exception):
    """Raised by the signal handler: stop everything and exit 0."""


class Fatal(Exception):
    """Something went wrong: stop everything and exit non-zero."""


def say(msg: str) -> None:
    print(msg, flush=True)


def step(msg: str) -> None:
    say(f"==> {msg}")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in FORBIDDEN_PORTS:
            return port


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as e:
        raise Fatal(f"cannot read {path}: {e}") from e


def write_json(path: Path, data: dict, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if private:
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def set_parent_death_signal() -> None:
    """In the child, before exec: get SIGTERM if up.py itself dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort, Linux only
        pass


class Child:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.log_path = log_path
        log = open(log_path, "ab")
        log.write(f"\n===== {time.strftime('%Y-%m-%dT%H:%M:%S%z')} up.py starts {name}: "
                  f"{' '.join(argv)}\n".encode())
        log.flush()
        # A session of its own: Ctrl-C in the terminal reaches up.py only, which
        # then stops the children in order.
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=str(REPO),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=set_parent_death_signal,
        )
        log.close()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            data = self.log_path.read_bytes()[-64 * 1024:]
        except OSError:
            return "(no log)"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


class Stack:
    def __init__(self) -> None:
        self.nats: Child | None = None
        self.services: list[Child] = []
        self.stopping = False

    def children(self) -> list[Child]:
        return self.services + ([self.nats] if self.nats else [])

    @staticmethod
    def _stop_group(children: list[Child], what: str) -> None:
        running = [c for c in children if c.alive()]
        if not running:
            return
        say(f"==> stopping {what}: {', '.join(c.name for c in running)}")
        for c in running:
            try:
                c.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for c in running:
            try:
                c.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"    {c.name} did not stop within {STOP_TIMEOUT_S:.0f} s: killing it")
                c.proc.kill()
                c.proc.wait()

    def stop(self) -> None:
        self.stopping = True
        # Services first (they drain into NATS), NATS last.
        self._stop_group(self.services, "services")
        if self.nats:
            self._stop_group([self.nats], "NATS")

    def check(self) -> None:
        for c in self.children():
            code = c.proc.poll()
            if code is not None:
                raise Fatal(f"{c.name} exited unexpectedly with status {code}; "
                            f"last lines of {c.log_path}:\n{c.tail()}")


def on_signal(signum, _frame) -> None:
    raise Shutdown(signal.Signals(signum).name)


def run_checked(argv: list[str], env: dict[str, str] | None = None, capture: bool = False) -> str:
    try:
        res = subprocess.run(argv, cwd=str(REPO), env=env, check=False, text=True,
                             stdout=subprocess.PIPE if capture else None)
    except FileNotFoundError as e:
        raise Fatal(f"cannot run {argv[0]}: {e}") from e
    if res.returncode != 0:
        raise Fatal(f"`{' '.join(argv)}` failed with status {res.returncode}")
    return res.stdout if capture else ""


def http_json(method: str, url: str, token: str, body: dict | None = None,
              headers: dict[str, str] | None = None) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Accept", "application/json")
    req.add_header("Accept-Language", "zh-CN")
    if data is not None:
        req.add_header("Content-Type", "application/json; charset=utf-8")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")
        raise Fatal(f"seeding: {method} {url} answered {e.code}:\n{detail}") from e
    except (urllib.error.URLError, OSError) as e:
        raise Fatal(f"seeding: {method} {url} failed: {e}") from e
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise Fatal(f"seeding: {method} {url} gave non-JSON: {raw[:500]!r}") from e


def wait_ready(stack: Stack, urls: dict[str, str]) -> None:
    pending = dict(urls)
    deadline = time.monotonic() + READY_TIMEOUT_S
    last_status: dict[str, str] = {}
    by_name = {c.name: c for c in stack.children()}
    while pending:
        stack.check()
        for name, base in list(pending.items()):
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        say(f"    {name} ready at {base}")
                        del pending[name]
                        continue
                    last_status[name] = f"HTTP {resp.status}"
            except urllib.error.HTTPError as e:
                last_status[name] = f"HTTP {e.code}: {e.read()[:300].decode('utf-8', 'replace')}"
            except (urllib.error.URLError, OSError) as e:
                last_status[name] = f"no answer ({getattr(e, 'reason', e)})"
        if not pending:
            break
        if time.monotonic() > deadline:
            report = []
            for name in pending:
                c = by_name[name]
                report.append(f"{name}: /readyz not 200 after {READY_TIMEOUT_S:.0f} s "
                              f"(last: {last_status.get(name, '?')}); last lines of "
                              f"{c.log_path}:\n{c.tail()}")
            raise Fatal("\n\n".join(report))
        time.sleep(0.5)


def wait_tcp(stack: Stack, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        stack.check()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise Fatal(f"NATS does not accept connections on port {port} after "
                            f"{timeout:.0f} s:\n{stack.nats.tail() if stack.nats else ''}")
            time.sleep(0.2)


def seed(var: Path, urls: dict[str, str], tokens: dict[str, str]) -> dict:
    """Seeds demo data once; progress is kept in seed.json so an interrupted seed resumes."""
    path = var / "seed.json"
    state = read_json(path) or {}
    if state.get("complete"):
        step("demo data already seeded (var/seed.json): reusing its stations and keys")
        return state
    step("seeding demo data")
    state.setdefault("stations", [])
    intake = urls["intake"]

    for i, st in enumerate(DEMO_STATIONS):
        if i < len(state["stations"]) and state["stations"][i].get("api_key"):
            continue
        if i < len(state["stations"]) and state["stations"][i].get("id"):
            created = state["stations"][i]
        else:
            created = http_json("POST", f"{intake}/v1/stations", tokens["admin"], st)
            created = {"id": created["id"], "code": st["code"], "name": st["name"],
                       "kind": st["kind"], "districts": st["districts"]}
            state["stations"].append(created)
            write_json(path, state, private=True)
        key = http_json("POST", f"{intake}/v1/stations/{created['id']}/keys", tokens["admin"], {})
        created["key_id"] = key["key_id"]
        created["api_key"] = key["api_key"]
        write_json(path, state, private=True)
        say(f"    station {st['code']} {st['name']}: {created['id']}")

    if not state.get("subscription_id"):
        sub = http_json("POST", f"{urls['notification']}/v1/subscriptions", tokens["regulator"],
                        {"channel": {"type": "stream"}, "filters": {}})
        state["subscription_id"] = sub.get("id")
        write_json(path, state, private=True)
        say(f"    regulator's stream subscription: {sub.get('id')}")

    # The expert pool: the demo expert and a colleague, so a draw can find a panel of two.
    if not state.get("experts"):
        catalogue = json.loads((REPO / "services" / "triage" / "data" / "catalogue.json").read_text())
        specialties = [c["code"] for c in catalogue["categories"]]
        for expert_id, name in (("demo-expert", "李明（上海市质检院）"), ("demo-expert-2", "周静（复旦大学）")):
            http_json("POST", f"{urls['assessment']}/v1/experts", tokens["admin"],
                      {"id": expert_id, "name": name, "specialties": specialties, "affiliations": []})
            say(f"    expert {expert_id} {name}")
        state["experts"] = True
        write_json(path, state, private=True)

    reports = state.setdefault("reports", [])
    for i, (station_index, body) in enumerate(DEMO_REPORTS):
        if i < len(reports):
            continue
        api_key = state["stations"][station_index]["api_key"]
        # The same Idempotency-Key on a resumed seed returns the first answer.
        res = http_json("POST", f"{intake}/v1/reports", api_key, body,
                        headers={"Idempotency-Key": f"prism-demo-seed-report-{i}"})
        reports.append({"id": res.get("id"), "station": state["stations"][station_index]["code"],
                        "kind": body["kind"], "product": body["product"]})
        write_json(path, state, private=True)
        say(f"    report {res.get('id')} ({body['kind']}, {body['product']})")

    wp = urls["warning-publication"]
    warning = state.setdefault("warning", {})
    if not warning.get("id"):
        res = http_json("POST", f"{wp}/v1/warnings", tokens["regulator"], DEMO_WARNING)
        warning["id"] = res["id"]
        write_json(path, state, private=True)
    if not warning.get("approved"):
        http_json("POST", f"{wp}/v1/warnings/{warning['id']}/approve", tokens["publisher"], {})
        warning["approved"] = True
        write_json(path, state, private=True)
    say(f"    warning {warning['id']} drafted and approved: {wp}/warnings/{warning['id']}")

    state["complete"] = True
    write_json(path, state, private=True)
    return state


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true",
                    help="use the binaries already built")
    ap.add_argument("--profile", choices=("release", "debug"),
                    default=os.environ.get("PRISM_PROFILE", "release"),
                    help="which build to run (debug builds faster; CI's smoke run uses it)")
    ap.add_argument("--postgres", metavar="URL", default=os.environ.get("PRISM_POSTGRES_URL"),
                    help="run the services on PostgreSQL at URL (e.g. postgres://postgres@127.0.0.1:5432), "
                         "one database per service and data folder, instead of SQLite")
    ap.add_argument("--base-port", type=int, default=int(os.environ.get("PRISM_BASE_PORT", "8081")),
                    help="intake's port; the other services follow it (default 8081)")
    args = ap.parse_args()
    global SERVICES
    SERVICES = [(name, prefix, args.base_port + i) for i, (name, prefix, _) in enumerate(SERVICES)]

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    var = Path(os.environ.get("PRISM_VAR") or REPO / "var").resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR")
                  or Path.home() / ".cache" / "prism-target")
    if not target.is_absolute():
        target = REPO / target
    for sub in ("nats", "logs", "keys"):
        (var / sub).mkdir(parents=True, exist_ok=True)
    logs = var / "logs"

    pid_file = var / "up.pid"
    if pid_file.exists():
        try:
            old = int(pid_file.read_text().strip())
        except ValueError:
            old = 0
        if old and old != os.getpid() and pid_alive(old):
            try:
                cmdline = Path(f"/proc/{old}/cmdline").read_bytes()
            except OSError:
                cmdline = b""
            if b"up.py" in cmdline:
                raise Fatal(f"another `make up` (pid {old}) already runs on {var}; stop it first")
    pid_file.write_text(f"{os.getpid()}\n")

    stack = Stack()
    try:
        return run(args, var, target, logs, stack)
    except Shutdown as e:
        say(f"\n==> {e}: shutting down")
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        return 0
    except Fatal as e:
        print(f"\nerror: {e}", file=sys.stderr, flush=True)
        # A second signal while stopping must not cut the stop short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        return 1
    finally:
        try:
            if pid_file.read_text().strip() == str(os.getpid()):
                pid_file.unlink()
        except OSError:
            pass


def postgres_database(server: str, var: Path, service: str) -> str:
    """Creates (once) the service's PostgreSQL database for this data folder; returns its URL."""
    suffix = hashlib.sha256(str(var).encode()).hexdigest()[:8]
    name = f"prism_{service.replace('-', '_')}_{suffix}"
    exists = run_checked(["psql", f"{server}/postgres", "-tAc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture=True)
    if exists.strip() != "1":
        run_checked(["psql", f"{server}/postgres", "-c", f"CREATE DATABASE {name}"])
    return f"{server}/{name}"


def run(args, var: Path, target: Path, logs: Path, stack: Stack) -> int:
    step("installing the pinned NATS server")
    out = run_checked(["bash", str(REPO / "deploy" / "scripts" / "install-nats.sh")], capture=True)
    nats_bin = out.strip().splitlines()[-1]

    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(target)
    profile_flag = ["--release"] if args.profile == "release" else []
    if not args.no_build:
        step(f"cargo build {' '.join(profile_flag)} --bins (target dir {target})".replace("  ", " "))
        run_checked(["cargo", "build", "--workspace", *profile_flag, "--bins"], env=env)
    bin_dir = target / args.profile
    missing = [b for b in BINARIES if not (bin_dir / b).is_file()]
    if missing:
        raise Fatal(f"missing binaries in {bin_dir}: {', '.join(missing)}")

    taken = [f"{name} ({port})" for name, _, port in SERVICES if not port_is_free(port)]
    if taken:
        raise Fatal("ports already in use: " + ", ".join(taken)
                    + " (is another PRISM stack running?)")

    ports_file = var / "ports.json"
    ports = read_json(ports_file) or {}
    nats_port = ports.get("nats")
    if not isinstance(nats_port, int) or nats_port in FORBIDDEN_PORTS or not port_is_free(nats_port):
        if isinstance(nats_port, int):
            say(f"    NATS port {nats_port} from {ports_file} is not free: picking another")
        nats_port = pick_free_port()
    ports["nats"] = nats_port
    write_json(ports_file, ports)
    nats_url = f"nats://127.0.0.1:{nats_port}"

    step(f"starting NATS on {nats_url} (JetStream store {var / 'nats'})")
    stack.nats = Child("nats", [nats_bin, "-c", str(NATS_CONF), "-a", "127.0.0.1",
                                "-p", str(nats_port), "-sd", str(var / "nats")],
                       dict(os.environ), logs / "nats.log")
    wait_tcp(stack, nats_port)

    keys = var / "keys"
    private_key = keys / "jwt-private.pem"
    public_key = keys / "jwt-public.pem"
    if not private_key.is_file() or not public_key.is_file():
        step("making the JWT signing key pair")
        run_checked([str(bin_dir / "prismctl"), "keygen", "--dir", str(keys)])
        if not private_key.is_file() or not public_key.is_file():
            raise Fatal(f"prismctl keygen did not write {private_key} and {public_key}")

    step("starting the services")
    urls: dict[str, str] = {}
    service_logs: dict[str, str] = {"nats": str(logs / "nats.log")}
    for name, prefix, port in SERVICES:
        data_dir = var / name
        data_dir.mkdir(parents=True, exist_ok=True)
        if args.postgres:
            db_url = postgres_database(args.postgres, var, name)
        else:
            db_file = var / f"{name}.db"
            # An empty file is a valid empty SQLite database: whether or not the
            # driver creates missing files, it finds one.
            db_file.touch(exist_ok=True)
            db_url = f"sqlite://{db_file}"
        senv = dict(os.environ)
        senv.update({
            "PRISM_ENV": "local",
            f"PRISM_{prefix}__HTTP__PORT": str(port),
            f"PRISM_{prefix}__DATABASE__URL": db_url,
            f"PRISM_{prefix}__NATS__URL": nats_url,
            f"PRISM_{prefix}__AUTH__JWT_PUBLIC_KEY_FILES": str(public_key),
            f"PRISM_{prefix}__DATA_DIR": str(data_dir),
        })
        if name == "intake":
            # Attachments (photos, lab-report PDFs) may be 10 MB; intake keeps JSON at 2 MiB.
            senv["PRISM_INTAKE__HTTP__BODY_LIMIT_BYTES"] = "11534336"
        log_path = logs / f"{name}.log"
        stack.services.append(Child(name, [str(bin_dir / name)], senv, log_path))
        urls[name] = f"http://127.0.0.1:{port}"
        service_logs[name] = str(log_path)
        say(f"    {name}: {urls[name]} (log {log_path})")

    step(f"waiting for every /readyz (up to {READY_TIMEOUT_S:.0f} s)")
    wait_ready(stack, urls)

    step("issuing demo JWTs (30 days)")
    tokens: dict[str, str] = {}
    for role_key, (sub, roles, districts) in DEMO_PEOPLE.items():
        argv = [str(bin_dir / "prismctl"), "token", "--key", str(private_key), "--sub", sub,
                "--roles", roles, "--ttl-days", "30"]
        if districts:
            argv += ["--districts", districts]
        out = run_checked(argv, capture=True).strip()
        if not out:
            raise Fatal(f"prismctl token printed nothing for {role_key}")
        tokens[role_key] = out.splitlines()[-1].strip()

    state = seed(var, urls, tokens)

    stations = [{"id": s["id"], "code": s["code"], "name": s["name"], "kind": s["kind"],
                 "api_key": s["api_key"], "key_id": s.get("key_id"),
                 "districts": s.get("districts", [])}
                for s in state["stations"]]
    stack_json = {
        "nats_url": nats_url,
        "services": urls,
        "tokens": tokens,
        "stations": stations,
        "var_dir": str(var),
        "logs": service_logs,
        # Process ids, so benchmarks can read the services' memory.
        "pids": {c.name: c.proc.pid for c in stack.children()},
    }
    write_json(var / "stack.json", stack_json, private=True)

    print_summary(stack_json, var, state)

    while True:
        stack.check()
        time.sleep(0.5)


def print_summary(stack_json: dict, var: Path, state: dict) -> None:
    say("")
    say("PRISM is up. Ctrl-C (or SIGTERM) stops it; data stays in " + str(var))
    say(f"  NATS                 {stack_json['nats_url']}")
    for name, url in stack_json["services"].items():
        say(f"  {name:<20} {url}")
    wp = stack_json["services"]["warning-publication"]
    say(f"  public site          {wp}/")
    warning_id = (state.get("warning") or {}).get("id")
    if warning_id:
        say(f"  demo warning         {wp}/warnings/{warning_id}")
    say("")
    say("Demo JWTs (Authorization: Bearer …):")
    for role, token in stack_json["tokens"].items():
        say(f"  {role}:")
        say(f"    {token}")
    say("")
    say("Demo stations and their API keys:")
    for s in stack_json["stations"]:
        say(f"  {s['code']}  {s['name']}  ({s['kind']})  id {s['id']}")
        say(f"    api_key {s['api_key']}")
    say("")
    say(f"All of this is in {var / 'stack.json'}; logs in {var / 'logs'}.")
    say("Try:  curl -s -H \"Authorization: Bearer $(jq -r .tokens.regulator "
        f"{var / 'stack.json'})\" {stack_json['services']['intake']}/v1/reports")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fatal as e:  # before any child was started
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    except Shutdown:
        sys.exit(0)
