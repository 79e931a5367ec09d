"""The ground every other package stands on: settings, the SOP as data, the clock, timing,
secret masking, logging and the problem codes. It imports nothing else of the project."""
