"""Small shared bits of look: colours that read on light and dark palettes."""

ERROR_COLOUR = "#d0453b"
WARNING_COLOUR = "#b7791f"
OK_COLOUR = "#2e9d49"
SECONDARY_COLOUR = "#7f8c8d"  # text that is there to explain, not to be read first


def error_label_style() -> str:
    return f"color: {ERROR_COLOUR};"
