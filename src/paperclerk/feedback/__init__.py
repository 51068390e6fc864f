"""The customer feedback intelligence line: voice and text feedback, quality scores, fraud checks and rewards."""
