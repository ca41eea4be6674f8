"""LifecycleTimeline driven through its public actions, from events made with a Recorder."""

from __future__ import annotations

import pytest

from ckptlab.errors import UsageError
from ckptlab.events import Recorder
from ckptlab.render.lifecycle import summarize
from ckptlab.widgets.lifecycle import LifecycleTimeline
from tests.helpers.imports import heavy_imports_of


def predict_call(recorder: Recorder, graph: int, step: int = 3) -> None:
    """The events of one predict() call, in the order the engine emits them."""
    recorder.begin_call("predict")
    recorder.emit("input_fn_called", mode="infer", graph=graph)
    recorder.emit("model_fn_called", mode="infer", graph=graph)
    recorder.emit("variable_created", graph=graph, name="w", shape=[1, 1], dtype="float32",
                  trainable=True, scope="", order=0, local=False)
    recorder.emit("graph_built", graph=graph, op_counts={"MatMul": 1}, collections={}, ops=27)
    recorder.emit("session_created", graph=graph)
    recorder.emit("checkpoint_restored", path=f"/tmp/m/model.ckpt-{step}", step=step,
                  variables=2)
    recorder.end_call("predict", status="ok")


def per_example(calls: int) -> Recorder:
    recorder = Recorder()
    for graph in range(1, calls + 1):
        predict_call(recorder, graph)
    return recorder


def lane_sizes(timeline: LifecycleTimeline) -> dict[str, int]:
    return {trace.name.split(" (")[0]: len(trace.x) for trace in timeline.figure.data}


def test_summary_counts_one_restore_per_predict_call():
    summary = summarize(per_example(4).events, "per example", examples=4)
    assert summary.counts["call"] == 4
    assert summary.counts["restore"] == 4
    assert summary.counts["graph"] == 4
    assert summary.variables == 4
    assert summary.restores_per_example == 1
    assert summary.headline().startswith("4 API calls (predict x4): 4 graphs built, 4 restores")


def test_timeline_draws_every_lane_and_steps_back_and_forward():
    timeline = LifecycleTimeline(per_example(2), name="two calls")
    sizes = lane_sizes(timeline)
    assert sizes["restore"] == 2 and sizes["model_fn call"] == 2
    assert sizes["API call"] == 6  # begin, end, gap per call
    assert timeline.position == 14  # 7 steps per call: 6 drawn events and the call's end
    assert "Step 14 of 14" in timeline.detail.value
    assert "predict() ends (ok)" in timeline.detail.value

    timeline.step_back()
    assert timeline.position == 13
    assert "restore model.ckpt-3" in timeline.detail.value
    timeline.step_back()
    assert lane_sizes(timeline)["restore"] == 1
    assert "session created on graph 2" in timeline.detail.value

    timeline.step_to(2)
    assert lane_sizes(timeline) == {**dict.fromkeys(sizes, 0), "API call": 3,
                                    "input_fn call": 1}
    assert "0 restores" in timeline.header.value
    timeline.step_forward()
    assert lane_sizes(timeline)["model_fn call"] == 1
    timeline.step_to(0)
    assert "nothing has happened yet" in timeline.detail.value
    timeline.step_back()
    assert timeline.position == 0
    timeline.show_all()
    assert timeline.position == 14


def test_buttons_call_the_same_actions():
    timeline = LifecycleTimeline(per_example(1))
    timeline.back_button.click()
    assert timeline.position == 6
    timeline.next_button.click()
    assert timeline.position == 7
    timeline.step_to(1)
    timeline.all_button.click()
    assert timeline.position == 7


def test_live_recorder_redraws_while_calls_run():
    recorder = Recorder()
    timeline = LifecycleTimeline(recorder, name="live", redraw_every=0)
    assert lane_sizes(timeline)["restore"] == 0
    predict_call(recorder, 1)
    assert lane_sizes(timeline)["restore"] == 1
    recorder.begin_call("predict")
    assert lane_sizes(timeline)["API call"] == 6  # the running call is drawn too
    assert "predict x2" in timeline.header.value
    timeline.stop_following()
    recorder.emit("input_fn_called", mode="infer", graph=2)
    assert lane_sizes(timeline)["input_fn call"] == 1


def test_live_updates_keep_an_earlier_step_when_the_learner_stepped_back():
    recorder = per_example(1)
    timeline = LifecycleTimeline(recorder, redraw_every=0)
    timeline.step_to(2)
    predict_call(recorder, 2)
    assert timeline.position == 2
    assert timeline.step_slider.max == 14


def test_live_redraws_are_throttled_and_refresh_catches_up():
    recorder = Recorder()
    timeline = LifecycleTimeline(recorder, redraw_every=60)
    predict_call(recorder, 1)  # the first event draws at once, the rest wait
    predict_call(recorder, 2)
    assert lane_sizes(timeline)["restore"] == 0
    assert timeline._timer is not None
    timeline.refresh()
    assert lane_sizes(timeline)["restore"] == 2 and timeline.position == 14
    assert timeline._timer is None


def test_compare_puts_sessions_side_by_side():
    timeline = LifecycleTimeline(per_example(10), name="predict per example", examples=10)
    timeline.add_session("one generator", per_example(1), examples=10)
    assert timeline.session_picker.layout.display == ""
    timeline.show("compare")
    assert [trace.type for trace in timeline.figure.data] == ["bar"] * 4
    restores = next(t for t in timeline.figure.data if t.name == "restores")
    assert list(restores.x) == [10, 1]
    assert list(restores.y) == ["predict per example", "one generator"]
    assert timeline.step_slider.disabled
    timeline.show("timeline")
    assert [trace.type for trace in timeline.figure.data] == ["scatter"] * 8
    timeline.select_session("predict per example")
    assert lane_sizes(timeline)["restore"] == 10
    with pytest.raises(UsageError):
        timeline.select_session("nope")
    with pytest.raises(UsageError):
        timeline.show("gantt")


def test_html_fallback_is_in_the_bundle_and_names_every_count():
    timeline = LifecycleTimeline(per_example(3), name="per example", examples=3)
    bundle = timeline._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert "restores per example" in page and "per example" in page
    assert page.count("predict()") == 3
    assert "<script" not in page


def test_event_dicts_from_json_are_accepted():
    recorder = per_example(2)
    timeline = LifecycleTimeline([e.to_dict() for e in recorder.events], live=False)
    assert lane_sizes(timeline)["restore"] == 2


def test_importing_the_view_does_not_import_tensorflow():
    assert heavy_imports_of("ckptlab.widgets.lifecycle") == []


def test_the_cursor_stops_at_the_call_lane_below_the_call_labels():
    from ckptlab.render.figures.lifecycle import LANES, timeline_figure

    summary = summarize(per_example(3).events, "three calls")
    figure = timeline_figure(summary, current=summary.marks[-1].seq)
    (cursor,) = figure.layout.shapes
    (label,) = figure.layout.annotations  # "predict ×3", drawn above the call lane
    assert (cursor.yref, cursor.y1) == ("y", len(LANES) - 1)  # the call lane's centre
    assert label.yanchor == "bottom" and label.yshift > 0


def test_in_a_kernel_the_catch_up_redraw_runs_on_the_kernels_loop(monkeypatch):
    """Not on a timer thread: there it raced the front end's messages to the figure
    (RuntimeError: dictionary changed size during iteration, seen in JupyterLab)."""
    import threading

    from tornado.ioloop import IOLoop

    import ckptlab.widgets.lifecycle as lifecycle

    # The kernel's loop runs on a thread of its own here, as in ipykernel, so that a
    # loop another test left running on the main thread cannot get in the way.
    loops: list[IOLoop] = []
    ready = threading.Event()

    def run_kernel_loop() -> None:
        loop = IOLoop(make_current=False)
        loops.append(loop)
        ready.set()
        loop.start()
        loop.close()

    kernel_thread = threading.Thread(target=run_kernel_loop, daemon=True)
    kernel_thread.start()
    assert ready.wait(10)
    loop = loops[0]
    monkeypatch.setattr(lifecycle, "_kernel_loop", lambda: loop)
    recorder = Recorder()
    timeline = LifecycleTimeline(recorder, redraw_every=0.05)
    drawn_on: list[threading.Thread] = []
    monkeypatch.setattr(timeline, "_render", lambda: drawn_on.append(threading.current_thread()))
    predict_call(recorder, 1)
    drawn_before = len(drawn_on)
    predict_call(recorder, 2)  # within redraw_every: waits for the catch-up
    assert timeline._timer is None and timeline._catch_up_pending
    loop.add_callback(loop.call_later, 0.5, loop.stop)
    kernel_thread.join(10)
    assert not kernel_thread.is_alive()
    assert len(drawn_on) == drawn_before + 1 and not timeline._catch_up_pending
    assert drawn_on[-1] is kernel_thread
