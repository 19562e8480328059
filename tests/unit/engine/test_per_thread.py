"""One engine client per thread (gui.core.engine.per_thread): a thread's client is closed when the thread ends, so
the task pool's short-lived threads leave no connection to the engine open behind them."""

from __future__ import annotations

import gc
import threading

from gui.core.engine.per_thread import PerThread
from tests.polling import wait_for


class Client:
    def __init__(self, number: int):
        self.number = number
        self.closed = False


def clients() -> tuple[PerThread[Client], list[Client]]:
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(len(made)))
        return made[-1]

    def close(client: Client) -> None:
        client.closed = True

    return PerThread(make, close), made


def in_a_thread(fn) -> None:
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join(10)


def test_each_thread_has_its_own_kept_between_calls():
    per_thread, made = clients()
    here = per_thread.get()
    assert per_thread.get() is here
    in_a_thread(per_thread.get)
    assert len(made) == 2 and made[1] is not here


def test_a_thread_s_client_is_closed_when_the_thread_ends():
    per_thread, made = clients()
    in_a_thread(per_thread.get)
    gc.collect()
    assert made[0].closed


def test_close_all_closes_every_thread_s_and_a_later_call_gets_a_new_one():
    per_thread, made = clients()
    here = per_thread.get()
    release = threading.Event()
    worker = threading.Thread(target=lambda: (per_thread.get(), release.wait(10)))
    worker.start()
    wait_for(lambda: len(made) == 2)
    per_thread.close_all()
    assert [client.closed for client in made] == [True, True]
    assert per_thread.get() is not here
    release.set()
    worker.join(10)


def test_drop_closes_this_thread_s_only():
    per_thread, made = clients()
    release = threading.Event()
    worker = threading.Thread(target=lambda: (per_thread.get(), release.wait(10)))
    worker.start()
    wait_for(lambda: len(made) == 1)
    here = per_thread.get()
    per_thread.drop()
    assert here.closed and per_thread.get() is not here
    assert not made[0].closed  # the other thread's stays open
    release.set()
    worker.join(10)
