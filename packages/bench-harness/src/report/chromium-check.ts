import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { BenchHarnessError } from "../errors.js";
import { decodePng, type RgbaImage } from "./decode-png.js";

const run = promisify(execFile);

/** Where Debian's `chromium` package installs the browser. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

export interface ReportRenderCheckOptions {
  readonly chromiumPath?: string;
  /** Window width in CSS pixels. Default 1400. */
  readonly width?: number;
  /** Where to keep the screenshot; default a temporary file that is kept and returned. */
  readonly screenshotPath?: string;
  readonly timeoutMs?: number;
}

/** What the browser drew for one chart. */
export interface PlotCheck {
  readonly id: string;
  /** The task section the chart is in. */
  readonly task: string;
  /** Pixels of clearly coloured (non-grey) ink inside the chart's box. */
  readonly colouredPixels: number;
  /** Whether the figure holds an SVG. */
  readonly hasSvg: boolean;
}

export interface ReportRenderCheck {
  readonly screenshotPath: string;
  readonly width: number;
  readonly height: number;
  /** SVG elements in the DOM Chromium built. */
  readonly svgElements: number;
  readonly plots: readonly PlotCheck[];
  /** Coloured pixels outside every chart box (should be about 0: the page's own styling is grey). */
  readonly colouredPixelsOutsidePlots: number;
  /** The page's scroll width in CSS pixels: more than the window width means horizontal overflow. */
  readonly scrollWidth: number;
  /** The window width the page was laid out in. */
  readonly viewportWidth: number;
}

interface Box {
  readonly id: string;
  readonly task: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly svg: boolean;
}

// Appended to a copy of the page: records each chart's box, the SVG count and the page height.
const PROBE = `<script>document.body.setAttribute("data-probe", JSON.stringify({
svgs: document.querySelectorAll("svg").length, height: document.documentElement.scrollHeight,
scrollWidth: document.documentElement.scrollWidth, viewportWidth: document.documentElement.clientWidth,
boxes: [...document.querySelectorAll("figure.plot")].map((f) => { const e = f.querySelector("svg") || f;
const r = e.getBoundingClientRect(); return { id: f.dataset.chart, task: f.closest("section")?.dataset.task ?? "", x: r.x, y: r.y + scrollY, w: r.width, h: r.height, svg: !!f.querySelector("svg") }; })}));</script>`;

function chromiumArguments(userDataDir: string, width: number, height: number): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    `--user-data-dir=${userDataDir}`,
    `--window-size=${width},${height}`,
  ];
}

const isColoured = (image: RgbaImage, index: number): boolean => {
  const r = image.pixels[index * 4] as number;
  const g = image.pixels[index * 4 + 1] as number;
  const b = image.pixels[index * 4 + 2] as number;
  return Math.max(r, g, b) - Math.min(r, g, b) > 60;
};

/**
 * Opens a report in headless Chromium and checks what it drew: a first pass on a copy of the
 * page with a probe script finds each chart's box and the page height; a second pass on the
 * page itself (which has no scripts) takes a full-height screenshot, whose coloured pixels are
 * counted inside each box.
 *
 * @example
 * const check = await checkReportInChromium("runs/cmp-1/report.html");
 * check.plots.every((plot) => !plot.hasSvg || plot.colouredPixels > 200);
 */
export async function checkReportInChromium(
  htmlPath: string,
  options: ReportRenderCheckOptions = {},
): Promise<ReportRenderCheck> {
  const { chromiumPath = DEFAULT_CHROMIUM_PATH, width = 1400, timeoutMs = 60_000 } = options;
  const work = await mkdtemp(join(tmpdir(), "report-check-"));
  try {
    const html = await readFile(htmlPath, "utf8");
    // The report is self-contained, so its probed copy can live in the scratch folder.
    const probePath = join(work, "probe.html");
    await writeFile(probePath, html.replace(/<\/body>/i, `${PROBE}</body>`));
    const { stdout: dom } = await run(
      chromiumPath,
      [...chromiumArguments(join(work, "probe-profile"), width, 1000), "--dump-dom", pathToFileURL(probePath).href],
      { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
    );
    const match = /data-probe="([^"]*)"/.exec(dom);
    if (match === null) throw new BenchHarnessError(`the probe did not run in ${htmlPath}`, "checkReportInChromium");
    const probe = JSON.parse((match[1] as string).replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as {
      svgs: number;
      height: number;
      scrollWidth: number;
      viewportWidth: number;
      boxes: Box[];
    };
    const height = Math.min(16_000, Math.ceil(probe.height));
    const screenshotPath = options.screenshotPath ?? join(tmpdir(), `report-check-${process.pid}-${Date.now()}.png`);
    await run(
      chromiumPath,
      [
        ...chromiumArguments(join(work, "shot-profile"), width, height),
        `--screenshot=${screenshotPath}`,
        pathToFileURL(htmlPath).href,
      ],
      {
        timeout: timeoutMs,
      },
    );
    const image = decodePng(await readFile(screenshotPath));
    const inside = new Uint8Array(image.width * image.height);
    const plots = probe.boxes.map((box): PlotCheck => {
      let colouredPixels = 0;
      for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(image.height, Math.ceil(box.y + box.h)); y++) {
        for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(image.width, Math.ceil(box.x + box.w)); x++) {
          inside[y * image.width + x] = 1;
          if (isColoured(image, y * image.width + x)) colouredPixels++;
        }
      }
      return { id: box.id, task: box.task, colouredPixels, hasSvg: box.svg };
    });
    let outside = 0;
    for (let i = 0; i < image.width * image.height; i++) if (inside[i] === 0 && isColoured(image, i)) outside++;
    return {
      screenshotPath,
      width: image.width,
      height: image.height,
      svgElements: probe.svgs,
      plots,
      colouredPixelsOutsidePlots: outside,
      scrollWidth: probe.scrollWidth,
      viewportWidth: probe.viewportWidth,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
