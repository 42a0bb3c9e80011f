"""
The site's social card and favicon: each drawn once as SVG and, with Pillow, as PNG
from the same shapes, into static/. The files are committed; run this again after
changing a shape, a colour or the text.
"""

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

STATIC = Path(settings.BASE_DIR) / "static"
BRAND_DARK = "#083a66"
PAPER = "#ffffff"
SOFT = "#c9d8e8"
# Pillow's own font, so every machine draws the same pixels; SVG viewers fall back.
FONT_FAMILY = "Aileron, system-ui, Arial, sans-serif"


@dataclass(frozen=True)
class Box:
    """A rounded rectangle: an outline, or filled when `fill` is set."""

    x: int
    y: int
    width: int
    height: int
    radius: int
    stroke: int = 0
    colour: str = PAPER
    fill: str | None = None


@dataclass(frozen=True)
class Text:
    """A line of text centred on (x, y)."""

    x: int
    y: int
    text: str
    size: int
    colour: str = PAPER


@dataclass(frozen=True)
class Drawing:
    name: str
    width: int
    height: int
    background: str | None
    shapes: tuple

    def svg(self):
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}">'
        ]
        if self.background:
            parts.append(f'<rect width="100%" height="100%" fill="{self.background}"/>')
        for shape in self.shapes:
            if isinstance(shape, Box):
                # An SVG stroke is centred on the edge; Pillow's lies inside it.
                inset = shape.stroke / 2
                width, height = shape.width - shape.stroke, shape.height - shape.stroke
                paint = (
                    f'fill="{shape.fill}"'
                    if shape.fill
                    else f'fill="none" stroke="{shape.colour}" stroke-width="{shape.stroke}"'
                )
                parts.append(
                    f'<rect x="{shape.x + inset:g}" y="{shape.y + inset:g}" '
                    f'width="{width:g}" height="{height:g}" '
                    f'rx="{shape.radius}" {paint}/>'
                )
            else:
                parts.append(
                    f'<text x="{shape.x}" y="{shape.y}" fill="{shape.colour}" '
                    f'font-family="{FONT_FAMILY}" font-size="{shape.size}" '
                    f'text-anchor="middle" dominant-baseline="central">{escape(shape.text)}</text>'
                )
        parts.append("</svg>")
        return "\n".join(parts) + "\n"

    def png(self):
        image = Image.new("RGBA", (self.width, self.height), self.background or (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        for shape in self.shapes:
            if isinstance(shape, Box):
                right, bottom = shape.x + shape.width - 1, shape.y + shape.height - 1
                draw.rounded_rectangle(
                    [shape.x, shape.y, right, bottom],
                    radius=shape.radius,
                    fill=shape.fill,
                    outline=None if shape.fill else shape.colour,
                    width=shape.stroke,
                )
            else:
                font = ImageFont.load_default(shape.size)
                draw.text((shape.x, shape.y), shape.text, fill=shape.colour, font=font, anchor="mm")
        return image if self.background is None else image.convert("RGB")


def drawings(site_name):
    card = Drawing(
        name="social-card",
        width=1200,
        height=630,
        background=BRAND_DARK,
        shapes=(
            Box(x=470, y=120, width=260, height=150, radius=24, stroke=10),
            Text(x=600, y=195, text="JTF", size=96),
            Text(x=600, y=380, text=site_name, size=60),
            Text(x=600, y=470, text="ITU · ISO · IEC", size=40, colour=SOFT),
        ),
    )
    icon = Drawing(
        name="favicon",
        width=32,
        height=32,
        background=None,
        shapes=(
            Box(x=0, y=0, width=32, height=32, radius=6, fill=BRAND_DARK),
            Text(x=16, y=16, text="JTF", size=13),
        ),
    )
    return card, icon


class Command(BaseCommand):
    help = "Draw the social card (1200 by 630 pixels) and the favicon into static/, as SVG and PNG."

    def handle(self, *args, **options):
        card, icon = drawings(settings.SITE_NAME)
        for drawing, png_name in ((card, "social-card.png"), (icon, "favicon-32.png")):
            (STATIC / f"{drawing.name}.svg").write_text(drawing.svg())
            drawing.png().save(STATIC / png_name, optimize=True)
            self.stdout.write(f"Wrote static/{drawing.name}.svg and static/{png_name}")
