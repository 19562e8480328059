"""The Monitor page (gui/views/monitor/monitor_page.py) fed by a stub Monitor service: the host panel, the GPU
cards, the busiest containers, refresh and pause, and sampling only while a monitor view is shown; then both pages on
the real MonitorService."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from gui.core.monitor.attribution import GpuUse
from gui.core.monitor.gpu import GpuProcessUse
from gui.models.table import SPARK_ROLE
from tests.gui.monitor.monitor_stub import (
    NO_DRIVER,
    GiB,
    MiB,
    container_id,
    fill_history,
    host_sample,
    no_driver,
    stats,
    tick,
    two_gpus,
)


@pytest.fixture
def monitor_page(qtbot, monitor):
    from gui.views.monitor.monitor_page import MonitorPage

    page = MonitorPage(monitor)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    return page


# The Monitor page ---------------------------------------------------------------------------------------------


def test_host_panel_shows_cpu_memory_swap_load_and_docker_disk(monitor, monitor_page):
    monitor.host = host_sample()
    monitor_page.show()
    tick(monitor)
    host = monitor_page.host
    assert host.cpu.text() == "25 % of 4 CPUs"
    assert host.cores.values == (10.0, 20.0, 30.0, 40.0)
    assert "Core 3: 40 %" in host.cores.toolTip()
    assert host.memory.text() == "2.0 GiB of 8.0 GiB (25 %)"
    assert host.swap.text() == "No swap"
    assert host.load.text().startswith("0.52 · 0.61 · 0.70")
    assert host.disk.text() == "/var/lib/docker: 120.0 GiB free of 400.0 GiB"

    monitor.host = host_sample(load=None, swap_total=4 * GiB)
    tick(monitor)
    assert host.load.text() == "n/a"
    assert host.swap.text() == "0 B of 4.0 GiB (0 %)"


def test_gpu_cards_show_every_field_with_na_for_unsupported_ones(monitor, monitor_page):
    monitor.gpus = two_gpus()
    monitor_page.show()
    tick(monitor)
    panel = monitor_page.gpus
    assert [card.title() for card in panel.cards] == ["GPU 0 · NVIDIA H100 80GB HBM3", "GPU 1 · NVIDIA H100 80GB HBM3"]
    first, second = panel.cards
    assert first.toolTip() == "UUID GPU-0aaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert first.values["Utilisation"].text() == "45 %"
    assert first.values["Memory"].text() == "12.0 GiB of 80.0 GiB (15 %)"
    assert first.values["Temperature"].text() == "54 °C"
    assert first.values["Power"].text() == "120 W of 350 W"
    assert first.values["Fan"].text() == "n/a"
    assert first.values["Clocks"].text() == "1755 MHz SM · 2619 MHz memory"
    assert second.values["Utilisation"].text() == "n/a"
    assert second.values["Power"].text() == "120 W"  # no limit reported: the draw alone
    assert panel.driver.text() == "Driver 550.54.15, supports CUDA up to 12.4"
    assert panel.driver.isVisible() and not panel.message.isVisible()
    assert not first.lost.isVisible()


def test_a_lost_gpu_says_so_and_comes_back(monitor, monitor_page):
    monitor.gpus = two_gpus(lost_second=True)
    monitor_page.show()
    tick(monitor)
    first, second = monitor_page.gpus.cards
    assert second.lost.isVisible() and "stopped answering" in second.lost.text()
    assert second.lost.toolTip() == "NVML says: GPU is lost"
    assert second.values["Memory"].text() == "n/a"
    assert not first.lost.isVisible()
    monitor.gpus = two_gpus()
    tick(monitor)
    assert monitor_page.gpus.cards[1] is second  # updated in place, not rebuilt
    assert not second.lost.isVisible()


def test_no_driver_is_one_calm_sentence_and_the_rest_works(monitor, monitor_page):
    monitor.gpus = no_driver()
    monitor.host = host_sample()
    monitor.containers = {container_id("web"): stats("web", 3.0)}
    monitor_page.show()
    tick(monitor)
    panel = monitor_page.gpus
    assert panel.message.isVisible() and panel.message.text() == NO_DRIVER
    assert panel.cards == [] and not panel.driver.isVisible()
    assert monitor_page.host.cpu.text() == "25 % of 4 CPUs"
    assert monitor_page.busiest.rowCount() == 1


def test_host_processes_on_gpus_are_listed_apart(monitor, monitor_page):
    process = GpuProcessUse(
        pid=4242, gpu_index=0, gpu_uuid="GPU-0", used_memory=512 * MiB, kind="compute", sm_percent=None
    )
    monitor.gpus = two_gpus()
    monitor.gpu_use = {None: GpuUse(container_id=None, gpu_memory=512 * MiB, processes=(process,), sm_percent=None)}
    monitor_page.show()
    tick(monitor)
    label = monitor_page.gpus.host_processes
    assert label.isVisible()
    assert label.text() == "Host processes (not in a container): 1 using 512.0 MiB of GPU memory."
    assert "PID 4242 on GPU 0" in label.toolTip()


def test_busiest_containers_are_the_top_ten_by_cpu(qtbot, monitor, monitor_page):
    cpus = [5.0, 80.0, None, 12.5, 0.0, 250.0, 1.0, 33.0, 7.0, 60.0, 2.0, 90.0]
    monitor.containers = {container_id(f"c{i}"): stats(f"c{i}", cpu) for i, cpu in enumerate(cpus)}
    trainer = container_id("c5")
    monitor.gpu_use = {trainer: GpuUse(container_id=trainer, gpu_memory=3 * GiB, processes=(), sm_percent=None)}
    fill_history(monitor, "c5", seconds=30)
    monitor_page.show()
    tick(monitor)
    table = monitor_page.busiest
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names == ["c5", "c11", "c1", "c9", "c7", "c3", "c8", "c0", "c10", "c6"]
    assert [table.item(row, 1).text() for row in range(3)] == ["250.0 %", "90.0 %", "80.0 %"]
    assert table.item(0, 2).text() == "100.0 MiB"
    assert table.item(0, 3).text() == "3.0 GiB" and table.item(1, 3).text() == ""
    assert "up to 400 %" in table.item(0, 1).toolTip()
    assert len(table.item(0, 1).data(SPARK_ROLE)) == 30  # the CPU sparkline's points
    assert not monitor_page.no_containers.isVisible()

    with qtbot.waitSignal(monitor_page.containerRequested) as request:
        table.doubleClicked.emit(table.model().index(0, 0))
    assert request.args == [trainer]


def test_no_running_container_says_what_to_do(monitor, monitor_page):
    monitor_page.show()
    tick(monitor)
    assert monitor_page.no_containers.isVisible()
    assert "No container is running" in monitor_page.no_containers.text()
    assert not monitor_page.busiest.isVisible()


def test_refresh_rate_and_pause_reach_the_service(monitor, monitor_page):
    combo = monitor_page.refresh
    assert [combo.itemText(i) for i in range(combo.count())] == ["Every 0.5 s", "Every 1 s", "Every 2 s", "Every 5 s"]
    assert combo.currentData() == 1000
    combo.setCurrentIndex(combo.findData(2000))
    assert monitor.interval_ms == 2000
    monitor_page.pause.click()
    assert monitor.paused and monitor_page.pause.text() == "Resume"
    assert monitor_page.status.text() == "Paused"
    monitor_page.pause.click()
    assert not monitor.paused and monitor_page.pause.text() == "Pause"


def test_hidden_page_does_no_work_and_catches_up_when_shown(monitor, monitor_page):
    assert monitor.hidden  # built off screen: the service may sample at low cost
    monitor.host = host_sample()
    tick(monitor)
    assert monitor_page.host.cpu.text() == "n/a"  # not repainted while nobody looks
    monitor_page.show()
    assert not monitor.hidden
    assert monitor_page.host.cpu.text() == "25 % of 4 CPUs"
    monitor_page.hide()
    assert monitor.hidden


def test_switching_between_monitor_views_keeps_the_service_awake(qtbot, monitor):
    from PySide6.QtWidgets import QStackedWidget

    from gui.views.monitor.container_usage import ContainerPage
    from gui.views.monitor.monitor_page import MonitorPage

    monitor_page, container_page = MonitorPage(monitor), ContainerPage(monitor)
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.addWidget(QLabel("Containers"))
    stack.addWidget(monitor_page)
    stack.addWidget(container_page)
    stack.show()
    assert monitor.hidden
    stack.setCurrentWidget(monitor_page)
    assert not monitor.hidden
    stack.setCurrentWidget(container_page)
    assert not monitor.hidden
    stack.setCurrentIndex(0)
    assert monitor.hidden


# With the real service ------------------------------------------------------------------------------------


def test_pages_follow_the_real_monitor_service(qtbot, session, engine, fake_nvml):
    """The real MonitorService on the FakeEngine's recorded stats and two fake GPUs: what the pages read is there."""
    from gui.views.monitor.container_usage import ContainerPage
    from gui.views.monitor.monitor_page import MonitorPage
    from gui.workers.monitor.service import MonitorService
    from tests.fakes.fake_nvml import FakeGpu

    fake_nvml.set(
        [
            FakeGpu(memory_used=20 * GiB, utilization_gpu=75, temperature=61, fan_speed=None),
            FakeGpu(name="NVIDIA A100-SXM4-40GB", memory_total=40 * GiB, power_usage=None),
        ]
    )
    service = MonitorService(session, interval_ms=250)
    page, container = MonitorPage(service), ContainerPage(service)
    qtbot.addWidget(page)
    qtbot.addWidget(container)
    try:
        page.show()
        session.start()
        service.start()
        qtbot.waitUntil(
            lambda: len(page.gpus.cards) == 2 and page.busiest.rowCount() > 0 and page.host.cpu.text() != "n/a",
            timeout=10_000,
        )
        assert not service.hidden
        assert page.gpus.cards[1].title() == "GPU 1 · NVIDIA A100-SXM4-40GB"
        assert page.gpus.cards[0].values["Fan"].text() == "n/a"
        assert page.gpus.cards[1].values["Power"].text() == "n/a"
        running = [row for row in engine.containers() if row.state == "running"]
        assert set(page.busiest.container_ids()) == {row.id for row in running}
        page.hide()
        assert service.hidden
        container.show()
        container.show_container(running[0])
        assert not service.hidden
        memory = container.charts["memory"]
        qtbot.waitUntil(lambda: len(memory.line_data(0)[0]) > 0, timeout=10_000)
        assert " KiB" in memory.values.text()  # the recorded payloads' idle busybox
    finally:
        service.stop()
