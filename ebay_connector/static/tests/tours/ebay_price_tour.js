/** @odoo-module **/

import { registry } from "@web/core/registry";

const PAGE = '.o_notebook .tab-pane.active';

/** The seller prices the demo draft from comparables (tests/test_price_tour.py): the Price tab, Recalculate, the
 * median and its comparables appear with the suggested price; 10 % below the median, and the price follows. */
registry.category("web_tour.tours").add("ebay_price_tour", {
    steps: () => [
        { content: "open the Price tab", trigger: '.o_notebook .nav-link[name="ebay_price"]', run: "click" },
        { content: "ask eBay for comparables", trigger: `${PAGE} button[name="action_recalculate_price"]`, run: "click" },
        {
            content: "the median of the comparables is shown",
            trigger: `${PAGE} .o_field_widget[name="ebay_price_median"]:contains("46.00")`,
        },
        {
            content: "the panel says how eBay was asked: the demo bin's EAN as keywords (Browse's gtin is UPC only)",
            trigger: `${PAGE} .o_field_widget[name="ebay_price_way"]:contains("EAN/ISBN as Keywords")`,
        },
        {
            content: "the comparables are listed, the outliers among them",
            trigger: `${PAGE} .o_field_widget[name="ebay_comparable_ids"] .o_data_row:contains("Lot of 5 bins")`,
        },
        {
            content: "the suggested price is 8 % below the median",
            trigger: `${PAGE} .o_field_widget[name="ebay_price"] input:value("42.32")`,
        },
        {
            content: "10 % below the median instead",
            trigger: `${PAGE} .o_field_widget[name="ebay_price_discount"] input`,
            run: "edit 10 && press Tab",
        },
        {
            content: "the price follows",
            trigger: `${PAGE} .o_field_widget[name="ebay_price"] input:value("41.40")`,
        },
        { content: "save", trigger: ".o_form_button_save", run: "click" },
        { content: "saved", trigger: ".o_form_saved" },
    ],
});
