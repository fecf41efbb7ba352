/*! citydiplo's WebGL renderer bundle (built by views/install-assets.sh with esbuild).
 * sigma.js 3.0.3, MIT licence, Copyright (C) 2013-2025 Alexis Jacomy, Guillaume Plique,
 * Benoît Simard, https://www.sigmajs.org
 * graphology 0.26.0, MIT licence, Copyright (c) 2016-2021 Guillaume Plique
 * events 3.3.0, MIT licence, Copyright Joyent, Inc. and other Node contributors
 * graphology-utils 2.5.2, MIT licence, Copyright (c) 2016-2021 Guillaume Plique
 */
// One global for views/assets/view.js: the page has no module loader and must stay one file.
import Graph from "graphology";
import Sigma from "sigma";

window.CitydiploSigma = { Graph: Graph, Sigma: Sigma };
