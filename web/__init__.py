"""The province's read-only web view of the central database and its OpenMetrics endpoint
(`sopbot pusat web`). Reads storage; never the bot."""
