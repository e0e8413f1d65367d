/** The site icon (SVG), served as /assets/icon.svg. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0072B2"/><path d="M6 25 26 7" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="16" cy="16" r="4" fill="#E69F00" stroke="#fff" stroke-width="1.5"/></svg>`;
