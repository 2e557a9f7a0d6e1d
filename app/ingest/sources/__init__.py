"""Where bytes come from: serial ports, an M-Bus master, an MQTT broker, files and telegram logs."""
