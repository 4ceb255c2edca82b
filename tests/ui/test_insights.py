"""The insights window over a real store: the numbers in its tables and charts, its empty
states, PNG export, and screenshots of each tab."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCharts import QBarCategoryAxis, QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QWidget,
)

from assessor.errors import UserFacingError
from assessor.workstation import Workstation
from tests.core.insights_data import SECOND_MARKS, insights_store
from ui.insights import InsightsDialog, open_insights
from ui.insights.charts import bar_values

SCREENSHOTS = Path("/tmp")


@pytest.fixture
def workstation(home):
    insights_store(home).close()
    ws = Workstation.open(home)
    yield ws
    ws.close()


@pytest.fixture
def open_dialog(qtbot, no_error_windows):
    opened: list[tuple[QWidget, InsightsDialog]] = []

    def factory(ws, **kwargs) -> InsightsDialog:
        parent = QWidget()  # stands in for the main window, which owns the dialog
        qtbot.add_widget(parent)
        dialog = open_insights(parent, ws, **kwargs)
        qtbot.wait_exposed(dialog)
        opened.append((parent, dialog))
        return dialog

    yield factory
    for _parent, dialog in opened:
        dialog.close()
        dialog.runner.wait()


def wait_history(qtbot, dialog: InsightsDialog, learner_id: str) -> None:
    tab = dialog.learner
    qtbot.wait_until(lambda: tab.history is not None and tab.history.learner_id == learner_id
                     and not tab.loading, timeout=10_000)


def wait_rates(qtbot, dialog: InsightsDialog, template_id: str, *, mine: bool,
               decided: bool = False) -> None:
    tab = dialog.credential
    qtbot.wait_until(lambda: tab.rates is not None and tab.rates.template_id == template_id
                     and (tab.rates.assessor_id is not None) == mine
                     and tab.decided.isChecked() == decided and not tab.loading,
                     timeout=10_000)


def categories(view: QChartView) -> list[str]:
    for axis in view.chart().axes():
        if isinstance(axis, QBarCategoryAxis):
            return list(axis.categories())
    return []


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_dialog_opens_at_once_and_fills_in_from_a_worker(workstation, open_dialog,
                                                             qtbot) -> None:
    dialog = open_dialog(workstation, learner_id="learner-aroha")
    assert not dialog.isModal()
    assert [dialog.tabs.tabText(i) for i in range(3)] == ["&Learner", "&Credential",
                                                          "&Agreement"]
    # nothing was read on the GUI thread: every tab is waiting for its worker
    assert dialog.credential.panel.message.title.text() == "Loading…"
    wait_history(qtbot, dialog, "learner-aroha")
    assert open_insights(dialog.parentWidget(), workstation) is dialog  # one per window


def test_learner_tab_shows_criteria_across_attempts_per_credential(workstation, open_dialog,
                                                                   qtbot) -> None:
    dialog = open_dialog(workstation, learner_id="learner-aroha")
    tab = dialog.learner
    wait_history(qtbot, dialog, "learner-aroha")
    assert tab.heading.text() == "Aroha Abara"
    assert tab.selected_learner() == "learner-aroha"
    assert tab.table_text() == [
        ["Customer Communication", "1", "In review", "Listens actively", "Exemplary", "3 of 3",
         "Met"],
        ["Customer Communication", "1", "In review", "Resolves the request", "Proficient",
         "2 of 3", "Met"],
        ["Site Safety Practitioner", "1", "Resubmission requested", "Identifies hazards",
         "Developing", "1 of 3", "Not met"],
        ["Site Safety Practitioner", "1", "Resubmission requested", "Applies controls",
         "Proficient", "3 of 4.5", "Met"],
        ["Site Safety Practitioner", "1", "Resubmission requested", "Reports incidents",
         "Not yet", "0 of 3", "Not met (optional)"],
        ["Site Safety Practitioner", "2", "Approved", "Identifies hazards", "Proficient",
         "2 of 3", "Met"],
        ["Site Safety Practitioner", "2", "Approved", "Applies controls", "Exemplary",
         "4.5 of 4.5", "Met"],
        ["Site Safety Practitioner", "2", "Approved", "Reports incidents", "Developing",
         "1 of 3", "Met (optional)"],
    ]
    views = tab.panel.views
    assert [v.chart().title() for v in views] == ["Customer Communication — Aroha Abara",
                                                  "Site Safety Practitioner — Aroha Abara"]
    assert bar_values(views[1].chart()) == {
        "Identifies hazards": [1.0, 2.0], "Applies controls": [3.0, 4.5],
        "Reports incidents": [0.0, 1.0]}
    assert categories(views[1]) == ["Attempt 1", "Attempt 2"]
    assert bar_values(views[0].chart()) == {"Listens actively": [3.0],
                                            "Resolves the request": [2.0]}
    assert "Applies controls: 3, 4.5" in views[1].accessibleDescription()
    assert tab.export_button.isEnabled()


def test_searching_for_a_learner_and_choosing_another(workstation, open_dialog, qtbot) -> None:
    dialog = open_dialog(workstation)
    tab = dialog.learner
    wait_history(qtbot, dialog, "learner-aroha")  # the first learner by name
    assert tab.learners.count() == 5 and tab.found.text() == "5 learners"
    qtbot.keyClicks(tab.search, "chiara")
    qtbot.wait_until(lambda: tab.learners.count() == 1, timeout=10_000)
    wait_history(qtbot, dialog, "learner-chiara")
    assert bar_values(tab.panel.charts[0]) == {
        "Identifies hazards": [3.0], "Applies controls": [3.0], "Reports incidents": [0.0]}

    tab.search.setText("nobody at all")
    qtbot.wait_until(lambda: tab.learners.count() == 0, timeout=10_000)
    assert tab.panel.message.title.text() == "No learner matches this search"
    assert not tab.export_button.isEnabled()


def test_a_late_answer_for_an_earlier_choice_is_dropped(workstation, open_dialog,
                                                        qtbot) -> None:
    dialog = open_dialog(workstation)
    tab = dialog.learner
    wait_history(qtbot, dialog, "learner-aroha")
    tab.select_learner("learner-ben")
    tab.select_learner("learner-dmitri")
    wait_history(qtbot, dialog, "learner-dmitri")
    qtbot.wait_until(lambda: dialog.runner.pending() == 0, timeout=10_000)
    assert tab.history is not None and tab.history.learner_id == "learner-dmitri"
    assert tab.heading.text() == "Dmitri Dubois"


def test_a_learner_with_nothing_judged_explains_the_empty_chart(workstation, open_dialog,
                                                               qtbot) -> None:
    dialog = open_dialog(workstation, learner_id="learner-efua")
    tab = dialog.learner
    wait_history(qtbot, dialog, "learner-efua")
    assert tab.panel.message.title.text() == "No judged criteria for Efua Eriksen yet"
    assert [row[4] for row in tab.table_text()] == ["Not judged"] * 3
    assert not tab.export_button.isEnabled()
    with pytest.raises(UserFacingError, match="no chart to export yet"):
        tab.save_png(SCREENSHOTS / "never-written.png")


def test_credential_tab_shows_pass_rates_for_my_cohort_or_everyone(workstation, open_dialog,
                                                                    qtbot) -> None:
    dialog = open_dialog(workstation, template_id="site-safety-practitioner")
    tab = dialog.credential
    dialog.tabs.setCurrentWidget(tab)
    wait_rates(qtbot, dialog, "site-safety-practitioner", mine=True)
    assert tab.mine.isChecked() and tab.mine.isEnabled()  # the signed-in assessor's cohort
    assert tab.table_text() == [
        ["Identifies hazards", "Yes", "3", "4", "75%"],
        ["Applies controls", "Yes", "3", "4", "75%"],
        ["Reports incidents", "Optional", "2", "4", "50%"],
    ]
    chart = tab.panel.charts[0]
    assert bar_values(chart) == {"Met the pass level": [50.0, 75.0, 75.0]}  # bottom to top
    assert categories(tab.panel.views[0]) == [
        "Reports incidents  (n=4)", "Applies controls  (n=4)", "Identifies hazards  (n=4)"]
    assert tab.status.text() == "4 judged submissions · your judgments"

    tab.mine.setChecked(False)
    wait_rates(qtbot, dialog, "site-safety-practitioner", mine=False)
    assert bar_values(tab.panel.charts[0]) == {"Met the pass level": [40.0, 60.0, 60.0]}
    assert [row[2:] for row in tab.table_text()] == [["3", "5", "60%"], ["3", "5", "60%"],
                                                     ["2", "5", "40%"]]

    tab.decided.setChecked(True)
    wait_rates(qtbot, dialog, "site-safety-practitioner", mine=False, decided=True)
    assert bar_values(tab.panel.charts[0]) == {"Met the pass level": [50.0, 100.0, 50.0]}


def test_a_credential_without_judged_submissions_says_so(workstation, open_dialog,
                                                          qtbot) -> None:
    dialog = open_dialog(workstation, template_id="customer-communication")
    tab = dialog.credential
    wait_rates(qtbot, dialog, "customer-communication", mine=True)
    assert bar_values(tab.panel.charts[0]) == {"Met the pass level": [100.0, 100.0]}
    tab.decided.setChecked(True)  # its one submission is still in review
    wait_rates(qtbot, dialog, "customer-communication", mine=True, decided=True)
    assert tab.panel.message.title.text() == "No judged submissions for this credential yet"
    assert "Customer Communication" in tab.panel.message.body.text()
    assert not tab.export_button.isEnabled()
    assert tab.status.text() == ""


def test_agreement_tab_shows_exact_agreement_and_kappa(workstation, open_dialog,
                                                       qtbot) -> None:
    dialog = open_dialog(workstation, second_marks=lambda: SECOND_MARKS)
    tab = dialog.agreement
    qtbot.wait_until(lambda: tab.report is not None and not tab.loading, timeout=10_000)
    assert tab.table_text() == [
        ["Identifies hazards", "4", "75%", "0.67", "Substantial"],
        ["Applies controls", "4", "100%", "1.00", "Almost perfect"],
        ["Reports incidents", "4", "0%", "-0.33", "Worse than chance"],
        ["All criteria", "12", "58%", "0.45", "Moderate"],
    ]
    assert bar_values(tab.panel.charts[0]) == {
        "Exact agreement (share)": [0.75, 1.0, 0.0], "Cohen's κ": [0.67, 1.0, -0.33]}
    assert "κ below 0.4: weak agreement" in tab.guide.text()
    assert tab.status.text() == "12 paired marks · overall κ 0.45"


def test_agreement_without_second_marking_says_so(workstation, open_dialog, qtbot) -> None:
    dialog = open_dialog(workstation)
    tab = dialog.agreement
    assert tab.panel.message.title.text() == "No second marking yet"
    assert not tab.export_button.isEnabled()
    dialog.agreement._second_marks = lambda: []
    with qtbot.wait_signal(tab.loaded, timeout=10_000):
        tab.start()
    assert tab.panel.message.title.text() == "No second marking yet"


def test_an_empty_store_explains_every_tab(home, open_dialog, qtbot) -> None:
    ws = Workstation.open(home)
    try:
        dialog = open_dialog(ws)
        qtbot.wait_until(lambda: dialog.learner.panel.message.title.text()
                         == "No learners in this store yet", timeout=10_000)
        qtbot.wait_until(lambda: dialog.credential.panel.message.title.text()
                         == "No credentials in this store yet", timeout=10_000)
        assert dialog.learner.found.text() == "0 learners"
    finally:
        dialog.close()
        dialog.runner.wait()
        ws.close()


def test_export_png_writes_the_chart(workstation, open_dialog, qtbot, tmp_path) -> None:
    dialog = open_dialog(workstation, learner_id="learner-aroha",
                         second_marks=lambda: SECOND_MARKS)
    wait_history(qtbot, dialog, "learner-aroha")
    for index, tab in enumerate((dialog.learner, dialog.credential, dialog.agreement)):
        dialog.tabs.setCurrentIndex(index)
        qtbot.wait_until(lambda tab=tab: tab.panel.showing_charts and not tab.loading,
                         timeout=10_000)
        saved = tab.save_png(tmp_path / f"chart-{index}")  # the suffix is added
        assert saved.name == f"chart-{index}.png"
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        image = QImage(str(saved))
        assert image.width() > 300 and image.height() > 200
        colours = {image.pixelColor(x, y).rgb()
                   for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 8, "the exported chart is blank"

    with pytest.raises(UserFacingError, match="could not be saved"):
        dialog.agreement.save_png(tmp_path / "no-such-folder" / "chart.png")


def test_every_control_has_an_accessible_name(workstation, open_dialog, qtbot) -> None:
    dialog = open_dialog(workstation, learner_id="learner-aroha",
                         second_marks=lambda: SECOND_MARKS)
    wait_history(qtbot, dialog, "learner-aroha")
    qtbot.wait_until(lambda: dialog.agreement.report is not None, timeout=10_000)
    kinds = (QAbstractButton, QComboBox, QLineEdit, QListWidget, QTableWidget, QChartView)
    controls = [w for kind in kinds for w in dialog.findChildren(kind)
                if not w.objectName().startswith("qt_")
                and not isinstance(w.parent(), QLineEdit)]  # Qt's own clear button
    unnamed = [f"{type(w).__name__} {w.objectName()} in {type(w.parent()).__name__}"
               for w in controls if not w.accessibleName()
               and not (isinstance(w, QAbstractButton) and w.text())]
    assert not unnamed
    assert len(controls) >= 12


def test_charts_follow_a_palette_change(workstation, open_dialog, qtbot) -> None:
    dialog = open_dialog(workstation, learner_id="learner-aroha")
    wait_history(qtbot, dialog, "learner-aroha")
    chart = dialog.learner.panel.charts[1]
    light_bar = chart.series()[0].barSets()[0].color()
    dark = QPalette(dialog.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#181818"))
    dialog.setPalette(dark)
    qtbot.wait_until(lambda: chart.backgroundBrush().color() == QColor("#181818"),
                     timeout=5_000)
    assert chart.series()[0].barSets()[0].color() != light_bar
    assert chart.titleBrush().color() == QColor("#e8eaed")


def test_screenshots_of_each_tab(workstation, open_dialog, qtbot) -> None:
    """Grabs /tmp/insights_{learner,credential,agreement}.png of the real dialog."""
    dialog = open_dialog(workstation, learner_id="learner-aroha",
                         template_id="site-safety-practitioner",
                         second_marks=lambda: SECOND_MARKS)
    dialog.resize(1100, 760)
    wait_history(qtbot, dialog, "learner-aroha")
    for index, name in enumerate(("learner", "credential", "agreement")):
        dialog.tabs.setCurrentIndex(index)
        tab = dialog.tabs.currentWidget()
        qtbot.wait_until(lambda tab=tab: tab.panel.showing_charts and not tab.loading,
                         timeout=10_000)
        qtbot.wait(50)
        path = SCREENSHOTS / f"insights_{name}.png"
        assert dialog.grab().save(str(path), "PNG")
        assert path.stat().st_size > 10_000
    dialog.tabs.setCurrentIndex(0)
    assert dialog.learner.panel.views[0].isVisible()
    assert Qt.WindowType.WindowMaximizeButtonHint & dialog.windowFlags()


def test_the_view_menu_opens_insights(open_window, seeded, qtbot) -> None:
    window = open_window()
    qtbot.wait_until(lambda: bool(window.menus["view"].actions()), timeout=5_000)
    action = next(a for a in window.menus["view"].actions() if a.text() == "&Insights…")
    assert action.shortcut().toString() == "Ctrl+I"
    action.trigger()
    dialog = window.findChild(InsightsDialog)
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    dialog.close()
