"""What people open: tables, maps, cards, handouts, exports, and the one safe file writer."""
