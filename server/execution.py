"""Running the endpoint's jobs with limits: a small pool of worker processes (see
`worker.py`), each with the store open, and a per-job timeout.

A pyoxigraph query cannot be interrupted from another thread, so a query that runs past
the timeout is stopped by killing its worker; a fresh worker replaces it and the server
keeps serving. Read-only opens of one store from several processes are safe. With updates
allowed, the store is opened writable, which RocksDB allows one process only: the pool then
has a single worker, so every query sees every update before it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from ..errors import StoreError
from .worker import Job, Outcome, serve_jobs

# Workers are started fresh ("spawn"), never forked from the server's event loop.
_CONTEXT = multiprocessing.get_context("spawn")
_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class PoolSettings:
    store_path: str
    writable: bool
    max_rows: int
    workers: int
    timeout: float


class QueryTimeout(Exception):
    pass


class _Worker:
    def __init__(self, settings: PoolSettings) -> None:
        self.connection, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(
            target=serve_jobs,
            args=(child, settings.store_path, settings.writable, settings.max_rows),
            daemon=True,
            name="citydiplo-sparql-worker",
        )
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        """Block until the worker has opened the store; StoreError with its reason if not."""
        if not self.connection.poll(_START_TIMEOUT):
            self.kill()
            raise StoreError(f"a query worker did not start within {_START_TIMEOUT:.0f} s")
        try:
            message = self.connection.recv()
        except EOFError:
            message = "the query worker exited while opening the store"
        if message != "ready":
            self.kill()
            raise StoreError(message)

    def call(self, job: Job) -> Outcome:
        self.connection.send(job)
        return self.connection.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class WorkerPool:
    """`settings.workers` worker processes; `run` sends a job to an idle one."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._replacing: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start every worker and wait until each has the store open."""
        for _ in range(self.settings.workers):
            await self._add_worker()

    async def _add_worker(self) -> None:
        worker = _Worker(self.settings)
        self._workers.add(worker)
        try:
            await asyncio.to_thread(worker.wait_ready)
        except StoreError:
            self._workers.discard(worker)
            raise
        self._idle.put_nowait(worker)

    async def run(self, job: Job) -> Outcome:
        """The job's outcome; QueryTimeout if waiting for a worker and running the job take
        longer than the timeout (the worker running it is then replaced)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.settings.timeout)
        except TimeoutError:
            raise QueryTimeout from None
        try:
            outcome = await asyncio.wait_for(
                asyncio.to_thread(worker.call, job), max(deadline - loop.time(), 0.001)
            )
        except (TimeoutError, EOFError, OSError) as error:
            self._replace(worker)
            if isinstance(error, TimeoutError):
                raise QueryTimeout from None
            return Outcome.error(500, "The query worker stopped unexpectedly; try again.")
        self._idle.put_nowait(worker)
        return outcome

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.discard(worker)
        task = asyncio.get_running_loop().create_task(self._add_worker())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def close(self) -> None:
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
