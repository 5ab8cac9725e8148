// Inline SVG icons (no icon font, no emoji font needed): every icon sits next to words, never alone.
const P = {
  pay: 'M3 6h18v12H3z M3 10h18 M6 15h4',
  services: 'M5 3h10l4 4v14H5z M8 10h8 M8 14h8 M8 18h5',
  calendar: 'M4 5h16v16H4z M4 10h16 M8 3v4 M16 3v4 M8 14h3v3H8z',
  notices: 'M3 10v4h3l7 5V5L6 10z M16 8c2 1 2 7 0 8 M19 5c4 3 4 11 0 14',
  back: 'M15 4l-8 8 8 8 M7 12h14',
  home: 'M3 12l9-8 9 8 M6 10v10h12V10 M10 20v-6h4v6',
  check: 'M4 12l5 5L20 6',
  cross: 'M5 5l14 14 M19 5L5 19',
  warning: 'M12 3l10 18H2z M12 9v6 M12 17v2',
  info: 'M12 2a10 10 0 1 0 0.01 0z M12 10v7 M12 6v2',
  clock: 'M12 2a10 10 0 1 0 0.01 0z M12 6v6l4 3',
  card: 'M2 6h20v12H2z M2 10h20 M5 15h6',
  qr: 'M3 3h7v7H3z M14 3h7v7h-7z M3 14h7v7H3z M14 14h3v3h-3z M18 18h3v3h-3z',
  water: 'M12 3c4 6 7 9 7 12a7 7 0 0 1-14 0c0-3 3-6 7-12z',
  electricity: 'M13 2L4 14h7l-1 8 9-12h-7z',
  gas: 'M12 2c2 4 7 7 7 13a7 7 0 0 1-14 0c0-3 2-5 3-7 1 3 2 4 4 4 0-3-1-6 0-10z',
  property: 'M3 21h18 M5 21V8l7-5 7 5v13 M9 21v-6h6v6 M9 10h2 M13 10h2',
  print: 'M6 9V3h12v6 M6 18H3v-9h18v9h-3 M6 14h12v7H6z',
  speaker: 'M3 9v6h4l6 5V4L7 9z M16 8c2 2 2 6 0 8',
  stop: 'M5 5h14v14H5z',
  repeat: 'M4 12a8 8 0 0 1 14-5l2-2v6h-6l2-2a5 5 0 1 0 1 6',
  search: 'M10 3a7 7 0 1 0 0.01 0z M15 15l6 6',
  text: 'M4 20L10 4h2l6 16 M6 14h10 M17 8h5 M19.5 5.5v5',
  globe: 'M12 2a10 10 0 1 0 0.01 0z M2 12h20 M12 2c3 3 3 17 0 20 M12 2c-3 3-3 17 0 20',
  person: 'M12 3a4 4 0 1 0 0.01 0z M4 21c1-5 4-7 8-7s7 2 8 7',
  phone: 'M5 3h4l2 5-3 2c1 3 3 5 6 6l2-3 5 2v4c0 1-1 2-2 2C10 21 3 14 3 5c0-1 1-2 2-2z',
  plus: 'M12 4v16 M4 12h16',
  erase: 'M21 5H8l-6 7 6 7h13z M11 9l6 6 M17 9l-6 6',
  elderly: 'M12 3a3 3 0 1 0 0.01 0z M10 8h4l1 6h-2l-1 7 M9 21l1-7 M17 12v9',
  family:
    'M8 4a3 3 0 1 0 0.01 0z M16 6a2.5 2.5 0 1 0 0.01 0z M3 21c0-6 2-9 5-9s5 3 5 9 M12 21c0-5 2-8 4-8s4 3 4 8',
  health: 'M12 21C5 15 2 11 2 7a5 5 0 0 1 10-2 5 5 0 0 1 10 2c0 4-3 8-10 14z M8 11h8 M12 7v8',
  work: 'M3 7h18v13H3z M8 7V4h8v3 M3 12h18',
  residence: 'M4 3h16v18H4z M8 8h8 M8 12h8 M8 16h4',
  help: 'M12 2a10 10 0 1 0 0.01 0z M9 9a3 3 0 1 1 4 3c-1 .5-1 1-1 2 M12 17v1',
};

/** An <svg> icon, hidden from screen readers (the words next to it say the same). */
export function icon(name) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}`);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', P[name] ?? P.info);
  svg.append(path);
  return svg;
}
