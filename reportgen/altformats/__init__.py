"""Alternative formats of public documents: Braille (BRF), audio (MP3), plain text and
easy-read HTML, all made from the same document model as the printed leaflet."""
