// The comparison page's lanes (/library/fragments/<id>/comparison): places each marker at its time and
// gives it its code's colour. The page's Content-Security-Policy allows no style attributes, so the
// server writes the place and the colour as data and this script sets them.
for (const marker of document.querySelectorAll(".lane-markers .marker")) {
  marker.style.left = `${Number(marker.dataset.left)}%`;
  marker.style.setProperty("--colour", marker.dataset.colour || "#777777");
  marker.dataset.placed = "true";
}
