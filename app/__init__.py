"""meterportal: the web portals around a Nordic utility's smart meters."""
