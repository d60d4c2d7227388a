// The Atlas speaks French: the document's language, and the few texts Streamlit's own frontend
// writes in English (file uploader, multiselect, status). Runs once per browser tab; a mutation
// observer translates the texts as Streamlit draws them. Injected by ui/assets.py.
(() => {
  const root = window.parent && window.parent.document ? window.parent.document : document;
  const win = root.defaultView || window;
  root.documentElement.lang = "fr";
  if (win.__atlasFrench) return;
  win.__atlasFrench = true;

  // What the frame of the page's first map loads: fetched ahead, while the server is still
  // building the page (ui/assets.py, map_frame_assets). Paths are from the app's root, which is
  // two folders above Streamlit's own script (static/js/index.*.js).
  const ahead = window.__atlasMapFrameAssets || {};
  const shell = root.querySelector('script[type="module"][src*="/static/js/index."]');
  if (shell) {
    const base = new URL("../../", shell.src);
    const hints = [["modulepreload", ahead.module], ...(ahead.files || []).map((path) => ["prefetch", path])];
    for (const [rel, path] of hints) {
      if (!path) continue;
      const link = root.createElement("link");
      link.rel = rel;
      link.href = new URL(path, base).href;
      link.dataset.atlasAhead = "";
      root.head.appendChild(link);
    }
  }

  const limit = (mb) => `${String(Math.round(Number(mb))).replace(".", ",")} Mo`;
  const UNITS = { B: "o", KB: "Ko", MB: "Mo", GB: "Go" };
  const size = (value, unit) => `${value.replace(".", ",")} ${UNITS[unit]}`;
  const RULES = [
    [/^Drag and drop files? here$/, () => "Glissez-déposez le fichier ici"],
    [/^(?:Limit )?([\d.]+) ?MB per file(?: • (.*))?$/, (m) =>
      `${limit(m[1])} au plus par fichier${m[2] ? ` • ${m[2]}` : ""}`],
    [/^Browse files$/, () => "Parcourir"],
    [/^Upload$/, () => "Importer"],
    [/^File must be ([\d.]+) ?MB or smaller\.?$/, (m) => `Le fichier doit faire au plus ${limit(m[1])}.`],
    [/^Error: File must be ([\d.]+) ?MB or smaller\.?$/, (m) =>
      `Erreur : le fichier doit faire au plus ${limit(m[1])}.`],
    [/^([\d.]+) ?(B|KB|MB|GB)$/, (m) => size(m[1], m[2])],
    [/^(.*) is not a supported file format\.?$/, (m) => `${m[1]} : format de fichier non accepté.`],
    [/^Choose options?$/, () => "Choisissez"],
    [/^Choose an option$/, () => "Choisissez"],
    [/^No results$/, () => "Aucun résultat"],
    [/^Select (\d+) matches$/, (m) => `Sélectionner les ${m[1]} résultats`],
    [/^Select 1 match$/, () => "Sélectionner le résultat"],
    [/^Select all$/, () => "Tout sélectionner"],
    [/^Clear all$/, () => "Tout effacer"],
    [/^Running\.\.\.$/, () => "Calcul en cours…"],
    [/^Running…$/, () => "Calcul en cours…"],
    [/^Stop$/, () => "Arrêter"],
    [/^Page not found$/, () => "Page introuvable"],
    [/^Skip to main content$/, () => "Aller au contenu principal"],
    [/^Error: (.*)$/, (m) => `Erreur : ${m[1]}`],
    [/^Connecting$/, () => "Connexion…"],
    [/^Please wait\.\.\.$/, () => "Veuillez patienter…"],
  ];
  // Only in attributes (accessible names): a place's name in the page could start with « Remove ».
  const ATTRIBUTE_RULES = [
    [/^(.+), ([\d.]+) ?(B|KB|MB|GB)$/, (m) => `${m[1]}, ${size(m[2], m[3])}`],
    [/^Remove (.+)$/, (m) => `Retirer ${m[1]}`],
    [/^Add files?$/, () => "Ajouter des fichiers"],
    [/^Help for (.+)$/, (m) => `Aide : ${m[1]}`],
    [/^file upload$/, () => "Choisir un fichier"],
    // Toolbars of tables and headings.
    [/^Link to heading$/, () => "Lien vers ce titre"],
    [/^Show\/hide columns$/, () => "Afficher ou masquer des colonnes"],
    [/^Download as CSV$/, () => "Télécharger en CSV"],
    [/^Search$/, () => "Rechercher"],
    [/^Fullscreen$/, () => "Plein écran"],
    [/^Close fullscreen$/, () => "Quitter le plein écran"],
    [/^Add row$/, () => "Ajouter une ligne"],
    [/^Delete row\(s\)$/, () => "Supprimer les lignes"],
  ];
  const ATTRIBUTES = ["aria-label", "title", "placeholder"];

  const translate = (text, rules = RULES) => {
    const trimmed = text.trim();
    for (const [pattern, render] of rules) {
      const match = trimmed.match(pattern);
      if (match) return text.replace(trimmed, render(match));
    }
    return null;
  };

  const visit = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const french = node.nodeValue && translate(node.nodeValue);
      if (french && french !== node.nodeValue) node.nodeValue = french;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      const french = value && translate(value, [...RULES, ...ATTRIBUTE_RULES]);
      if (french && french !== value) node.setAttribute(name, french);
    }
    if (node.tagName === "IFRAME" || node.tagName === "SCRIPT" || node.tagName === "STYLE") return;
    for (const child of node.childNodes) visit(child);
  };

  // Frames of maps get the title their page gives them (a hidden marker beside each map).
  const titleFrames = () => {
    for (const marker of root.querySelectorAll("[data-atlas-frame-title]")) {
      const box = marker.closest('[data-testid="stVerticalBlock"]');
      const frame = box && box.querySelector("iframe");
      const title = marker.getAttribute("data-atlas-frame-title");
      if (frame && frame.title !== title) frame.title = title;
    }
  };

  visit(root.body);
  titleFrames();
  new win.MutationObserver((mutations) => {
    titleFrames();
    for (const mutation of mutations) {
      if (mutation.type === "characterData") visit(mutation.target);
      else if (mutation.type === "attributes") visit(mutation.target);
      else mutation.addedNodes.forEach(visit);
    }
  }).observe(root.body, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
})();
