"""Chart colours that read well in the light and the dark palette.

Series take the Okabe–Ito colours (distinguishable with the common colour-vision
deficiencies), in a lighter variant on dark backgrounds. Everything else (background, text,
grid) comes from the widget's palette, so charts follow the OS theme.
"""

from __future__ import annotations

from PySide6.QtCharts import QAbstractBarSeries, QChart
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

_LIGHT = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D1F",
          "#5D5D5D")
_DARK = ("#56B4E9", "#F0B429", "#3CC79E", "#E59CCB", "#FF8A4C", "#9AD0F5", "#D9B45A",
         "#BDBDBD")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def series_colour(index: int, palette: QPalette) -> QColor:
    colours = _DARK if is_dark(palette) else _LIGHT
    return QColor(colours[index % len(colours)])


def style_chart(chart: QChart, palette: QPalette) -> None:
    """Colour ``chart`` (its axes, legend and bar sets) from ``palette``; call again when
    the palette changes."""
    dark = is_dark(palette)
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
    text = palette.color(QPalette.ColorRole.WindowText)
    muted = QColor(text)
    muted.setAlphaF(0.75)
    grid = QColor(text)
    grid.setAlphaF(0.14)
    line = QColor(text)
    line.setAlphaF(0.35)
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
    chart.setBackgroundRoundness(0)
    chart.setPlotAreaBackgroundVisible(False)
    title_font = QFont(chart.titleFont())
    title_font.setPointSizeF(max(title_font.pointSizeF(), 10.5))
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setTitleBrush(text)
    legend = chart.legend()
    legend.setLabelColor(text)
    legend_font = QFont(QGuiApplication.font())  # the theme brings its own, larger fonts
    legend_font.setPointSizeF(legend_font.pointSizeF() * 0.9)
    legend.setFont(legend_font)
    for axis in chart.axes():
        axis.setLabelsBrush(muted)
        axis.setTitleBrush(muted)
        axis.setGridLineColor(grid)
        axis.setLinePenColor(line)
        axis.setShadesVisible(False)
    colour = 0
    for series in chart.series():
        if not isinstance(series, QAbstractBarSeries):
            continue
        for bar_set in series.barSets():
            fill = series_colour(colour, palette)
            bar_set.setColor(fill)
            bar_set.setBorderColor(fill)
            bar_set.setLabelColor(text)
            colour += 1
