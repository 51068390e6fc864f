#!/usr/bin/env bash
# OCR reads with tesseract when its language models are installed (faster and more accurate than the pip-only
# RapidOCR, as measured in benchmarks/bench_ocr.py): libtesseract comes inside the tesserocr wheel, the models
# from Debian's tesseract-ocr packages. Install them when we can (root with apt); otherwise say so (RapidOCR
# reads instead; the tesseract tests skip on a laptop, fail in CI).
set -u
wanted="tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-nld tesseract-ocr-spa"
if command -v tesseract >/dev/null 2>&1; then
  complete=yes
  for model in osd eng fra deu nld spa; do
    tesseract --list-langs 2>/dev/null | grep -qx "$model" || complete=no
  done
  [ "$complete" = yes ] && exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing tesseract and its English, French, German, Dutch and Spanish models for OCR…"
  # shellcheck disable=SC2086
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $wanted) >/tmp/paperclerk-apt-ocr.log 2>&1 \
    || { echo "tesseract install failed; see /tmp/paperclerk-apt-ocr.log (RapidOCR reads instead)"; exit 0; }
else
  echo "note: tesseract (with fra/deu/nld/spa) is missing and cannot be installed without root; RapidOCR reads instead"
fi
