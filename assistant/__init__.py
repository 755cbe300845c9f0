"""ShopAssist: the assistant package (settings, turn pipeline, generators, CLI)."""
