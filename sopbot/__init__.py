"""What the rest shares: settings, the SOP as data, the clock, logging, the CLI and the demo."""
