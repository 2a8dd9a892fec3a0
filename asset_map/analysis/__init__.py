"""The gap measures: assignment, reach and coverage, accessibility, gaps, confidence, what-if."""
