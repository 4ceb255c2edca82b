"""Insights: charts of performance per learner and credential, and inter-rater agreement."""

from ui.insights.dialog import InsightsDialog, open_insights

__all__ = ["InsightsDialog", "open_insights"]
